package app.onsite.core.facade

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.withContext
import app.onsite.core.ffi.BackgroundSyncInterface
import app.onsite.core.ffi.SyncObserver
import app.onsite.core.SyncStatus

/**
 * The status of a sync loop as a cold [Flow]: each collector registers its own
 * [SyncObserver], gets the current status first and then every change. When the collector is
 * cancelled the [app.onsite.core.ffi.ObserverHandle] is closed, so the core stops calling back at
 * once instead of whenever the garbage collector gets to the handle.
 *
 * Conflated: a status is a state, only the newest matters, and the observer runs on the
 * core's sync thread, which must never wait for a slow collector.
 */
fun BackgroundSyncInterface.statusFlow(io: CoroutineDispatcher): Flow<SyncStatus> = callbackFlow {
    val handle = observe(object : SyncObserver {
        override fun onStatus(status: SyncStatus) {
            // Never throws and never blocks: a closed channel just drops the status.
            trySend(status)
        }
    })
    awaitClose { handle.close() }
}.conflate().flowOn(io)

/**
 * A running background sync loop (the core's timer with back-off and jitter).
 *
 * Call [close] (or [stop]) when the engineer signs out; the loop also stops when the
 * underlying object is released.
 */
class SyncLoop internal constructor(
    private val loop: BackgroundSyncInterface,
    private val io: CoroutineDispatcher,
) : AutoCloseable {

    /** Every status change; see [statusFlow]. */
    val status: Flow<SyncStatus> = loop.statusFlow(io)

    /** The current status, without waiting. */
    suspend fun current(): SyncStatus = withContext(io) { loop.status() }

    /** Runs a round now (the network came back, the engineer pulled to refresh). */
    suspend fun syncSoon(): Unit = withContext(io) { loop.syncSoon() }

    /** Whether the loop still runs. */
    suspend fun isRunning(): Boolean = withContext(io) { loop.isRunning() }

    /** Stops the loop; a round in progress finishes first, so this can take a while. */
    suspend fun stop(): Unit = withContext(io) { loop.stop() }

    /** Stops the loop and releases it (blocking: call it off the UI thread, or use [stop]). */
    override fun close() {
        loop.stop()
        (loop as? AutoCloseable)?.close()
    }
}
