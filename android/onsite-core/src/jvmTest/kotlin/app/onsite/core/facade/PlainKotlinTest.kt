// The facade's plain parts: the signature pad's recorder, labels, error mapping, Loadable.
package app.onsite.core.facade

import java.time.Instant
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.runBlocking
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import app.onsite.core.*
import app.onsite.core.ffi.*

class StrokeRecorderTest {
    @Test
    fun recordsOneStrokePerTouchWithTimesRelativeToItsStart() {
        val pad = StrokeRecorder()
        assertTrue(pad.isEmpty)
        pad.begin(1f, 1f, 5_000)
        pad.moveTo(2f, 3f, 5_016)
        pad.moveTo(2f, 3f, 5_020) // same place: dropped
        pad.moveTo(4f, 4f, 5_010) // out of order: time held, not negative
        pad.end()
        pad.begin(9f, 9f, 9_000) // a tap is a dot
        pad.end()
        assertEquals(
            listOf(
                Stroke(listOf(StrokePoint(1f, 1f, 0u), StrokePoint(2f, 3f, 16u), StrokePoint(4f, 4f, 16u))),
                Stroke(listOf(StrokePoint(9f, 9f, 0u))),
            ),
            pad.strokes,
        )
    }

    @Test
    fun movesOutsideAStrokeAreIgnoredAndUndoAndClearWork() {
        val pad = StrokeRecorder()
        pad.moveTo(1f, 1f, 1)
        assertTrue(pad.isEmpty)
        pad.begin(0f, 0f, 0); pad.moveTo(1f, 1f, 1)
        assertEquals(1, pad.strokes.size, "the stroke being drawn counts")
        pad.begin(5f, 5f, 10) // a new touch finishes the previous stroke
        pad.undo() // drops the one being drawn
        assertEquals(1, pad.strokes.size)
        pad.undo()
        assertTrue(pad.isEmpty)
        pad.begin(0f, 0f, 0); pad.end(); pad.clear()
        assertTrue(pad.isEmpty)
    }
}

class LabelsTest {
    @Test
    fun statusMoneyAndCoverage() {
        assertEquals("En route", Status.EN_ROUTE.label)
        assertEquals("Awaiting approval", Status.AWAITING_APPROVAL.label)
        assertEquals("0.05", formatCents(5))
        assertEquals("1,234,567.89", formatCents(123_456_789))
        assertEquals("-89.50", formatCents(-8_950))
        assertEquals("Warranty until 2027-01-31", Coverage.Warranty("2027-01-31").label)
        assertEquals("Contract Gold until 2026-12-31", Coverage.Contract("c1", "Gold", "2026-12-31", true, false).label)
        assertEquals("Chargeable", Coverage.Chargeable.label)
    }

    @Test
    fun syncSummaries() {
        val now = Instant.ofEpochMilli(1_000_000_000L)
        fun s(state: SyncState, last: Instant? = null, pending: ULong = 0uL, next: ULong = 0uL) =
            SyncStatus(state, last, pending, null, 0u, next)
        assertEquals("Not synced yet", s(SyncState.Idle).summary(now))
        assertEquals("Synced 3 min ago · 2 waiting", s(SyncState.Idle, now.minusMillis(180_000), 2uL).summary(now))
        assertEquals("Syncing…", s(SyncState.Syncing).summary(now))
        assertEquals("Offline: refused · 1 waiting · retry in 8 s", s(SyncState.Offline("refused"), null, 1uL, 8_000uL).summary(now))
        assertEquals("Sync failed: 401 · retry in 2 min", s(SyncState.Failed("401"), next = 120_000uL).summary(now))
    }
}

class ProblemTest {
    @Test
    fun everyVariantMapsToAnAction() {
        val cases = listOf(
            ApiException.NotFound("d") to Problem.Action.Refresh,
            ApiException.NotAllowed("d") to Problem.Action.NotAllowed,
            ApiException.NotSignedIn("d") to Problem.Action.SignIn,
            ApiException.Conflict("d") to Problem.Action.RetryLater,
            ApiException.Network("d") to Problem.Action.RetryLater,
            ApiException.Storage("d") to Problem.Action.Storage,
            ApiException.Other("d") to Problem.Action.Other,
        )
        for ((e, action) in cases) assertEquals(Problem(action, "d"), e.toProblem())
        assertEquals(Problem.Action.Other, IllegalStateException("boom").toProblem().action)
    }

    @Test
    fun fieldProblemsAreGroupedPerField() {
        val p = ApiException.Invalid(
            listOf(FieldIssue("quantity", "must be > 0"), FieldIssue("quantity", "too big"), FieldIssue("unit", "empty")),
            "3 problems",
        ).toProblem()
        assertEquals(mapOf("quantity" to "must be > 0; too big", "unit" to "empty"), p.fields)
        val m = ApiException.IncompleteCompletion(listOf(Missing(MissingItem.Signature, "Signature")), "missing").toProblem()
        assertEquals(listOf("Signature"), m.missing)
    }

    @Test
    fun loadableWrapsButNeverSwallowsCancellation() = runBlocking {
        assertEquals(Loadable.Ready(1), loadable { 1 })
        assertEquals(Loadable.Failed(Problem(Problem.Action.Refresh, "x")), loadable { throw ApiException.NotFound("x") })
        assertFailsWith<CancellationException> { loadable { throw CancellationException("left") } }
        assertEquals(null, Loadable.Loading.valueOrNull)
    }
}
