package app.onsite.app

import android.app.Application
import app.onsite.core.android.openForApp
import app.onsite.core.facade.Onsite
import app.onsite.core.facade.SyncLoop
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/**
 * Owns the one [Onsite] of the process (the core wants one store object per file).
 *
 * Opened asynchronously: opening may upgrade the schema, which must not block app start.
 */
class OnsiteApplication : Application() {
    /** Lives as long as the process; the sync loop's status flows are collected in it. */
    val appScope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** The store, once open. ViewModels `await()` it. */
    lateinit var onsite: Deferred<Onsite>
        private set

    private val loop = MutableStateFlow<SyncLoop?>(null)
    private val starting = Mutex()

    /** The background sync loop, once signed in. It runs for the whole process, not per screen. */
    val syncLoop: StateFlow<SyncLoop?> get() = loop

    override fun onCreate() {
        super.onCreate()
        onsite = appScope.async { Onsite.openForApp(this@OnsiteApplication) }
        // Signed in on an earlier run: sync again without asking.
        appScope.launch {
            if (onsite.await().call { it.session() } != null) startSync()
        }
    }

    /** Starts the loop if it is not running; throws `ApiException.NotSignedIn` before a login. */
    suspend fun startSync(): SyncLoop = starting.withLock {
        loop.value ?: onsite.await().startSync().also { loop.value = it }
    }
}
