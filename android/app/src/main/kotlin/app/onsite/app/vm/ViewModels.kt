package app.onsite.app.vm

import androidx.lifecycle.ViewModel
import androidx.lifecycle.ViewModelProvider
import androidx.lifecycle.ViewModelProvider.AndroidViewModelFactory.Companion.APPLICATION_KEY
import androidx.lifecycle.createSavedStateHandle
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.initializer
import androidx.lifecycle.viewmodel.viewModelFactory
import app.onsite.app.OnsiteApplication
import app.onsite.core.android.localUtcOffsetMinutes
import app.onsite.core.facade.Loadable
import app.onsite.core.facade.Onsite
import app.onsite.core.facade.Problem
import app.onsite.core.facade.loadable
import app.onsite.core.facade.toProblem
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.flatMapLatest
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import app.onsite.core.Conflict
import app.onsite.core.JobDetail
import app.onsite.core.JobSummary
import app.onsite.core.ffi.Missing
import app.onsite.core.SyncStatus
import app.onsite.core.VisitRecord
import kotlin.coroutines.cancellation.CancellationException

/** Today's jobs. */
class JobsViewModel(private val onsite: Deferred<Onsite>) : ViewModel() {
    private val state = MutableStateFlow<Loadable<List<JobSummary>>>(Loadable.Loading)

    /** The list, or why it could not be read. */
    val jobs: StateFlow<Loadable<List<JobSummary>>> get() = state

    init { refresh() }

    /** Reads the list again (after a sync, or when the screen comes back). */
    fun refresh() {
        viewModelScope.launch { state.value = loadable { onsite.await().todaysJobs(localUtcOffsetMinutes()) } }
    }
}

/** One job's screens: what is known, what was recorded, what completion still needs. */
data class JobUi(
    val detail: Loadable<JobDetail> = Loadable.Loading,
    val visit: Loadable<VisitRecord> = Loadable.Loading,
    val missing: List<Missing> = emptyList(),
    /** The last action's failure, shown until dismissed. */
    val problem: Problem? = null,
    val busy: Boolean = false,
)

/** A job and every action on it; shared by the detail, work and sign-off screens. */
class JobViewModel(private val onsite: Deferred<Onsite>, val jobId: String) : ViewModel() {
    private val state = MutableStateFlow(JobUi())

    /** What the screens draw. */
    val ui: StateFlow<JobUi> get() = state

    init { refresh() }

    /** Reads the job again (another screen may have recorded something). */
    fun refresh() {
        viewModelScope.launch { reload() }
    }

    private suspend fun reload() {
        val o = onsite.await()
        val detail = loadable { o.jobDetail(jobId) }
        val visit = loadable { o.visitRecord(jobId) }
        val missing = loadable { o.missingForCompletion(jobId) }.valueOrNull.orEmpty()
        state.update { it.copy(detail = detail, visit = visit, missing = missing) }
    }

    /**
     * Runs one action (one core transaction) and reloads; a refusal becomes [JobUi.problem]
     * and nothing else changes, because the core stored nothing. [onDone] runs on success.
     */
    fun act(onDone: () -> Unit = {}, action: suspend Onsite.(jobId: String) -> Any?) {
        if (state.value.busy) return // one action at a time: a double tap must not record twice
        state.update { it.copy(busy = true, problem = null) }
        viewModelScope.launch {
            try {
                onsite.await().action(jobId)
                onDone()
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                state.update { it.copy(problem = e.toProblem()) }
            } finally {
                reload()
                state.update { it.copy(busy = false) }
            }
        }
    }

    /** Hides the problem banner. */
    fun dismissProblem() = state.update { it.copy(problem = null) }
}

/** Sync status, sign-in and the conflict log. */
@OptIn(ExperimentalCoroutinesApi::class)
class SyncViewModel(private val app: OnsiteApplication) : ViewModel() {
    /**
     * The loop's status while this screen is visible: when nobody collects for 5 s the
     * facade's flow is cancelled and the core's observer handle is closed.
     */
    val status: StateFlow<SyncStatus?> = app.syncLoop
        .flatMapLatest { it?.status ?: flowOf(null) }
        .stateIn(viewModelScope, SharingStarted.WhileSubscribed(5_000), null)

    private val conflictState = MutableStateFlow<Loadable<List<Conflict>>>(Loadable.Loading)
    private val problemState = MutableStateFlow<Problem?>(null)

    /** Unseen conflicts, newest first. */
    val conflicts: StateFlow<Loadable<List<Conflict>>> get() = conflictState

    /** The last failure of sign-in or "sync now". */
    val problem: StateFlow<Problem?> get() = problemState

    init { refreshConflicts() }

    /** Reads the conflict log again. */
    fun refreshConflicts() {
        viewModelScope.launch { conflictState.value = loadable { app.onsite.await().conflicts() } }
    }

    /** Stores the server and token, then starts the background loop. */
    fun signIn(serverUrl: String, token: String) = launchAction {
        app.onsite.await().login(serverUrl.trim(), token.trim())
        app.startSync()
    }

    /** Asks the loop for a round now (or runs one here if the loop is not running). */
    fun syncNow() = launchAction { app.syncLoop.value?.syncSoon() ?: app.onsite.await().syncNow() }

    /** Marks a conflict as seen. */
    fun markSeen(conflict: Conflict) = launchAction { app.onsite.await().markConflictSeen(conflict.id) }

    private fun launchAction(block: suspend () -> Any?) {
        problemState.value = null
        viewModelScope.launch {
            val result = loadable { block() }
            if (result is Loadable.Failed) problemState.value = result.problem
            refreshConflicts()
        }
    }
}

/** Builds the ViewModels from the application (and the `jobId` navigation argument). */
val OnsiteViewModels: ViewModelProvider.Factory = viewModelFactory {
    fun app(extras: androidx.lifecycle.viewmodel.CreationExtras) = extras[APPLICATION_KEY] as OnsiteApplication
    initializer { JobsViewModel(app(this).onsite) }
    initializer { JobViewModel(app(this).onsite, checkNotNull(createSavedStateHandle().get<String>("jobId"))) }
    initializer { SyncViewModel(app(this)) }
}
