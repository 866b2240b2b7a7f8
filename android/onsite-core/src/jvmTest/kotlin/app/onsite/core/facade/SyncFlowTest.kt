// The sync status Flow: against a fake loop (exact close semantics of the observer handle) and
// against the core's real background loop pointed at an unreachable server.
package app.onsite.core.facade

import java.time.Instant
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import app.onsite.core.*
import app.onsite.core.ffi.*

private fun status(state: SyncState, pending: ULong = 0uL) = SyncStatus(state, null, pending, null, 0u, 0uL)

/** A loop that tells each observer the current status on registration, like the core does. */
private class FakeLoop : BackgroundSyncInterface {
    val observers = CopyOnWriteArrayList<SyncObserver>()
    val closedHandles = AtomicInteger()
    @Volatile var current = status(SyncState.Idle)

    fun emit(s: SyncStatus) {
        current = s
        observers.forEach { it.onStatus(s) }
    }

    override fun observe(observer: SyncObserver): ObserverHandle {
        observers.add(observer)
        observer.onStatus(current)
        return object : ObserverHandle(app.onsite.core.ffi.NoHandle) {
            override fun stopObserving() {
                observers.remove(observer)
            }
            override fun close() {
                closedHandles.incrementAndGet()
                stopObserving()
            }
        }
    }

    override fun isRunning() = true
    override fun status() = current
    override fun stop() {}
    override fun syncSoon() {}
}

class SyncFlowTest {
    @Test
    fun emitsTheCurrentStatusThenChangesAndClosesTheHandleOnCancel() = runBlocking {
        val loop = FakeLoop()
        val seen = mutableListOf<SyncStatus>()
        val job = launch(Dispatchers.Default) {
            loop.statusFlow(Dispatchers.IO).collect { seen.add(it) }
        }
        withTimeout(5_000) { while (loop.observers.isEmpty()) kotlinx.coroutines.delay(5) }
        withTimeout(5_000) { while (seen.isEmpty()) kotlinx.coroutines.delay(5) }
        loop.emit(status(SyncState.Syncing))
        withTimeout(5_000) { while (seen.last().state != SyncState.Syncing) kotlinx.coroutines.delay(5) }
        assertEquals(SyncState.Idle, seen.first().state, "the current status comes first")

        job.cancel()
        job.join()
        assertEquals(1, loop.closedHandles.get(), "cancelling the collector closed the handle")
        assertTrue(loop.observers.isEmpty())
        loop.emit(status(SyncState.Offline("gone"))) // nobody listens; must not throw
    }

    @Test
    fun takeEndsTheFlowAndClosesTheHandleToo() = runBlocking {
        val loop = FakeLoop()
        val first = withTimeout(5_000) { loop.statusFlow(Dispatchers.IO).take(1).toList() }
        assertEquals(listOf(loop.current), first)
        assertEquals(1, loop.closedHandles.get())
    }

    @Test
    fun eachCollectorHasItsOwnObserver() = runBlocking {
        val loop = FakeLoop()
        val flow = loop.statusFlow(Dispatchers.IO)
        withTimeout(5_000) {
            flow.first()
            flow.first()
        }
        assertEquals(2, loop.closedHandles.get())
        assertTrue(loop.observers.isEmpty())
    }

    @Test
    fun theRealLoopReportsOfflineThroughTheFlow() = runBlocking {
        val dir = Files.createTempDirectory("onsite-facade-sync")
        try {
            Onsite.open(dir.resolve("offline.db").toString()).use { onsite ->
                onsite.login("http://127.0.0.1:9", "ons_nothing") // port 9 (discard): refused
                onsite.startSync(SyncLoopConfig(minBackoffMs = 50uL, maxBackoffMs = 200uL)).use { loop ->
                    val offline = withTimeout(20_000) {
                        loop.status.first { it.state is SyncState.Offline && it.failures >= 2u }
                    }
                    assertTrue(offline.summary(Instant.now()).startsWith("Offline: "))
                    assertTrue(loop.isRunning())
                    loop.stop()
                    assertFalse(loop.isRunning())
                }
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }
}
