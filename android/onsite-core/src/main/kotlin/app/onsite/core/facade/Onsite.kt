package app.onsite.core.facade

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import app.onsite.core.*
import app.onsite.core.ffi.*

/**
 * The app's entry to the core: every blocking store call as a `suspend` function that runs on
 * [io] (never on the caller's thread, so the UI thread never touches SQLite).
 *
 * Plain Kotlin (no `android.*`), so it is compiled and tested on the JVM too (`jvm-check.sh`).
 * Errors stay the generated [ApiException]s; [toProblem] turns one into what a screen shows.
 *
 * @property store the generated store (an interface, so tests and previews can fake it).
 */
class Onsite(
    val store: OnsiteStoreInterface,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {

    /** Runs one store call on [io]. The escape hatch for calls without a named wrapper. */
    suspend fun <T> call(block: (OnsiteStoreInterface) -> T): T = withContext(io) { block(store) }

    /** Today's jobs in appointment order, "today" in the zone [utcOffsetMinutes] east of UTC. */
    suspend fun todaysJobs(utcOffsetMinutes: Int): List<JobSummary> = call { it.todaysJobs(utcOffsetMinutes) }

    /** The job screen: work order, customer, site, asset, coverage, history, next statuses. */
    suspend fun jobDetail(workOrderId: String): JobDetail = call { it.jobDetail(workOrderId) }

    /** Everything recorded on the visit so far (diagnoses, parts, charges, checklist, ...). */
    suspend fun visitRecord(workOrderId: String): VisitRecord = call { it.visitRecord(workOrderId) }

    /** Moves the job to [to] as the engineer; `NotAllowed` if the state machine refuses. */
    suspend fun setStatus(workOrderId: String, to: Status, reason: String? = null): StatusChange =
        call { it.setStatus(workOrderId, to, reason) }

    /** Records a diagnosis. */
    suspend fun addDiagnosis(workOrderId: String, symptom: String, cause: String, errorCodes: List<String>): Diagnosis =
        call { it.addDiagnosis(workOrderId, NewDiagnosis(symptom, cause, errorCodes)) }

    /** Records a measurement (e.g. "Pump coil", 178.5, "Ω"). */
    suspend fun addMeasurement(workOrderId: String, name: String, value: Double, unit: String): Measurement =
        call { it.addMeasurement(workOrderId, name, value, unit) }

    /** Appends a note (notes are never edited). */
    suspend fun addNote(workOrderId: String, body: String): Note = call { it.addNote(workOrderId, body) }

    /** Records a part installed or removed. */
    suspend fun addPartLine(workOrderId: String, part: NewPartLine): PartLine = call { it.addPartLine(workOrderId, part) }

    /** Adds a chargeable quote line (money in cents). */
    suspend fun addQuoteLine(workOrderId: String, description: String, quantity: Long, unitPriceCents: Long): QuoteLine =
        call { it.addQuoteLine(workOrderId, description, quantity, unitPriceCents) }

    /** Records one checklist item's result. */
    suspend fun recordChecklistResult(workOrderId: String, itemKey: String, result: Outcome, note: String? = null): ChecklistResult =
        call { it.recordChecklistResult(workOrderId, itemKey, result, note) }

    /** Records the function test. */
    suspend fun recordFunctionTest(workOrderId: String, passed: Boolean, notes: String): FunctionTest =
        call { it.recordFunctionTest(workOrderId, passed, notes) }

    /** The customer's decision on the current charges. */
    suspend fun decideQuote(workOrderId: String, approved: Boolean, signerName: String): QuoteDecision =
        call { it.decideQuote(workOrderId, approved, signerName) }

    /** The customer's signature on the service report as it is now. */
    suspend fun signOff(workOrderId: String, signerName: String, strokes: List<Stroke>): SignOff =
        call { it.signOff(workOrderId, signerName, strokes) }

    /** What completion still needs; empty when [complete] would succeed. */
    suspend fun missingForCompletion(workOrderId: String): List<Missing> = call { it.missingForCompletion(workOrderId) }

    /** Completes the job; `IncompleteCompletion` lists every missing item otherwise. */
    suspend fun complete(workOrderId: String): StatusChange = call { it.complete(workOrderId) }

    /** The canonical service report, its SHA-256 and whether it is signed. */
    suspend fun serviceReport(workOrderId: String): ReportView = call { it.serviceReport(workOrderId) }

    /** The conflict log, newest first. */
    suspend fun conflicts(includeSeen: Boolean = false): List<Conflict> = call { it.conflicts(includeSeen) }

    /** Hides a conflict from the unseen list. */
    suspend fun markConflictSeen(conflictId: String): Unit = call { it.markConflictSeen(conflictId) }

    /** Changes waiting to be sent. */
    suspend fun pendingSyncCount(): ULong = call { it.pendingSyncCount() }

    /** Stores the server and token for sync. */
    suspend fun login(serverUrl: String, token: String): Unit = call { it.login(serverUrl, token) }

    /** One sync round now (push everything, pull every page); `Network` when unreachable. */
    suspend fun syncNow(): SyncReport = call { it.syncNow() }

    /** Starts the core's background sync loop; `NotSignedIn` before [login]. */
    suspend fun startSync(config: SyncLoopConfig = SyncLoopConfig()): SyncLoop =
        SyncLoop(call { it.startBackgroundSync(config) }, io)

    /** Releases the store (the generated object frees the Rust side). */
    override fun close() {
        (store as? AutoCloseable)?.close()
    }

    /** Opening the store. */
    companion object {
        /** Opens (or creates, or upgrades) the store file at [path] on [io]. */
        suspend fun open(path: String, io: CoroutineDispatcher = Dispatchers.IO): Onsite =
            Onsite(withContext(io) { OnsiteStore.open(path) }, io)
    }
}
