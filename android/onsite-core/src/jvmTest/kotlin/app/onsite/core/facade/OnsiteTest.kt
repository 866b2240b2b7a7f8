// The facade over the real core: a store file in a temp dir, the real cdylib through JNA, every
// call a suspend function that must run on the facade's dispatcher, failures mapped to Problems.
package app.onsite.core.facade

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.ZoneOffset
import java.util.concurrent.Executors
import kotlinx.coroutines.ExecutorCoroutineDispatcher
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.runBlocking
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import app.onsite.core.*
import app.onsite.core.ffi.*

class OnsiteTest {
    private lateinit var dir: Path
    private lateinit var io: ExecutorCoroutineDispatcher
    private lateinit var onsite: Onsite

    @BeforeTest
    fun open() = runBlocking {
        dir = Files.createTempDirectory("onsite-facade")
        io = Executors.newSingleThreadExecutor { Thread(it, "onsite-io") }.asCoroutineDispatcher()
        onsite = Onsite.open(dir.resolve("engineer.db").toString(), io)
    }

    @AfterTest
    fun close() {
        onsite.close()
        io.close()
        dir.toFile().deleteRecursively()
    }

    private suspend fun seed(): String = onsite.call { store ->
        val today = Instant.ofEpochMilli(store.nowMs()).atOffset(ZoneOffset.UTC).toLocalDate().toString()
        store.seedDemo(DemoSeed(3u, 3u, 1u, today, "eng-a", 7uL))
    }.first()

    @Test
    fun callsRunOnTheFacadesDispatcherNotTheCallers() = runBlocking {
        val caller = Thread.currentThread().name
        val (thread, jobs) = onsite.call { Thread.currentThread().name to it.todaysJobs(0) }
        assertEquals("onsite-io", thread)
        assertTrue(caller != thread)
        assertTrue(jobs.isEmpty())
    }

    @Test
    fun aWholeVisitThroughTheSuspendFunctions() = runBlocking {
        val id = seed()
        assertEquals(id, onsite.todaysJobs(0).first().id)
        assertEquals(Status.ASSIGNED, onsite.jobDetail(id).workOrder.status)
        for (next in listOf(Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)) {
            assertEquals(next, onsite.setStatus(id, next).to)
        }
        onsite.addDiagnosis(id, "Does not drain", "Drain pump blocked", listOf("F11"))
        onsite.addMeasurement(id, "Pump coil", 178.5, "Ω")
        onsite.addNote(id, "Coin in the pump housing")
        onsite.addPartLine(id, NewPartLine(PartDirection.INSTALLED, "11034430", "Drain pump", 1, "N1", null, Billing.CHARGEABLE, 8950))
        onsite.addQuoteLine(id, "Labour", 1, 8900)

        // Completion refused: the Problem carries every missing item as the core worded it.
        val refused = loadable { onsite.complete(id) }
        val problem = assertIs<Loadable.Failed>(refused).problem
        assertEquals(Problem.Action.FinishVisit, problem.action)
        assertEquals(onsite.missingForCompletion(id).map { it.text }, problem.missing)

        for (line in onsite.visitRecord(id).checklist.filter { it.item.required }) {
            onsite.recordChecklistResult(id, line.item.key, Outcome.PASS)
        }
        onsite.recordFunctionTest(id, true, "Full cycle, drains")
        onsite.decideQuote(id, true, "Paul Klein")
        val pad = StrokeRecorder().apply {
            begin(10f, 40f, 1_000); moveTo(30f, 44f, 1_016); moveTo(60f, 38f, 1_032); end()
        }
        val signed = onsite.signOff(id, "Paul Klein", pad.strokes)
        assertEquals(pad.strokes, signed.strokes, "the pad's strokes are what the core stored")
        assertTrue(onsite.missingForCompletion(id).isEmpty())
        assertEquals(Status.COMPLETED, onsite.complete(id).to)
        assertIs<Signature.Signed>(onsite.serviceReport(id).signature)
        assertTrue(onsite.pendingSyncCount() > 0uL)
    }

    @Test
    fun coreRefusalsBecomeProblemsWithTheirAction() = runBlocking {
        val id = seed()
        val illegal = assertFailsWith<ApiException.NotAllowed> { onsite.setStatus(id, Status.COMPLETED) }
        assertEquals(Problem.Action.NotAllowed, illegal.toProblem().action)
        assertEquals(illegal.detail, illegal.toProblem().message)

        onsite.setStatus(id, Status.ACCEPTED)
        onsite.setStatus(id, Status.EN_ROUTE)
        onsite.setStatus(id, Status.ON_SITE)
        val bad = assertFailsWith<ApiException.Invalid> {
            onsite.addPartLine(id, NewPartLine(PartDirection.INSTALLED, "", "", 0, null, null, Billing.CHARGEABLE, -1))
        }.toProblem()
        assertEquals(Problem.Action.FixInput, bad.action)
        assertTrue(bad.fields.keys.containsAll(listOf("part_number", "description", "quantity")), "${bad.fields}")

        val gone = loadable { onsite.jobDetail("0190f1d2-0000-7000-8000-000000000000") }
        assertEquals(Problem.Action.Refresh, assertIs<Loadable.Failed>(gone).problem.action)
        assertEquals(Problem.Action.SignIn, assertFailsWith<ApiException.NotSignedIn> { onsite.startSync() }.toProblem().action)
        assertEquals(Problem.Action.SignIn, assertFailsWith<ApiException.NotSignedIn> { onsite.syncNow() }.toProblem().action)
    }
}
