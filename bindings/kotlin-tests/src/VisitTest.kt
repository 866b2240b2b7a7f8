// A whole visit through the generated Kotlin bindings on the JVM, against the real cdylib:
// open a store, seed jobs, list today's, read the job screen, move the job through its states,
// record the visit, be refused with typed errors, complete it, read the signed report.
package app.onsite.tests

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.ZoneOffset
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import app.onsite.core.*
import app.onsite.core.ffi.*

class VisitTest {
    private lateinit var dir: Path
    private lateinit var store: OnsiteStore

    @BeforeTest
    fun open() {
        dir = Files.createTempDirectory("onsite-kotlin")
        store = OnsiteStore.open(dir.resolve("engineer.db").toString())
    }

    @AfterTest
    fun close() {
        store.close()
        dir.toFile().deleteRecursively()
    }

    private fun today(): String =
        Instant.ofEpochMilli(store.nowMs()).atOffset(ZoneOffset.UTC).toLocalDate().toString()

    private fun seed(jobs: UInt = 3u): List<String> =
        store.seedDemo(DemoSeed(jobs, jobs, 1u, today(), "eng-a", 7uL))

    private fun signature() = listOf(
        Stroke((0u until 12u).map { StrokePoint(it.toFloat() * 10f, 40f + (it % 3u).toFloat(), it * 16u) }),
    )

    @Test
    fun opensAStoreWithAnIdentityAndNothingToSync() {
        assertEquals(36, store.clientId().length)
        assertEquals(0uL, store.pendingSyncCount())
        assertEquals(null, store.session())
        assertTrue(store.todaysJobs(0).isEmpty())
    }

    @Test
    fun listsTodaysJobsAndShowsTheJobScreen() {
        val ids = seed()
        val jobs = store.todaysJobs(0)
        assertEquals(ids.toSet(), jobs.map { it.id }.toSet())
        assertTrue(jobs.zipWithNext().all { (a, b) -> a.windowStart <= b.windowStart })
        val job = jobs.first()
        assertEquals(Status.ASSIGNED, job.status)

        val detail = store.jobDetail(job.id)
        assertEquals(job.number, detail.workOrder.number)
        assertEquals(job.customerName, detail.customer.name)
        assertNotNull(detail.asset)
        assertEquals(1, detail.history.size, "one earlier visit to the same asset")
        assertEquals(setOf(Status.ACCEPTED, Status.NEW), detail.nextStatuses.toSet())
        assertEquals(job.id, store.findWorkOrder(job.number).id)
    }

    @Test
    fun refusesWithTypedErrors() {
        val id = seed().first()
        val illegal = assertFailsWith<ApiException.NotAllowed> {
            store.setStatus(id, Status.COMPLETED, null)
        }
        assertTrue(illegal.detail.contains("assigned"), illegal.detail)
        assertFailsWith<ApiException.NotFound> { store.jobDetail("0190f1d2-0000-7000-8000-000000000000") }
        val bad = assertFailsWith<ApiException.Invalid> { store.jobDetail("WO-nonsense") }
        assertEquals("work_order_id", bad.problems.single().field)
        // Records need the engineer on site.
        assertFailsWith<ApiException.NotAllowed> {
            store.addMeasurement(id, "Pump coil", 178.5, "Ω")
        }
        assertEquals(Status.ASSIGNED, store.jobDetail(id).workOrder.status, "nothing stored")
    }

    @Test
    fun aWholeVisitFromAcceptanceToTheSignedReport() {
        val id = seed().first()
        for (next in listOf(Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)) {
            assertEquals(next, store.setStatus(id, next, null).to)
        }
        store.addTimeEntry(id, TimeKind.TRAVEL, store.nowMs() - 1_800_000, store.nowMs() - 60_000)
        store.addDiagnosis(id, NewDiagnosis("Does not drain", "Drain pump blocked", listOf("F11")))
        store.addMeasurement(id, "Pump coil", 178.5, "Ω")
        store.addNote(id, "Coin found in the pump housing")
        store.addPartLine(id, NewPartLine(PartDirection.INSTALLED, "11034430", "Drain pump", 1, "N1", null, Billing.CHARGEABLE, 8950))
        store.addPartLine(id, NewPartLine(PartDirection.REMOVED, "11034430", "Drain pump (old)", 1, null, "O1", Billing.WARRANTY, 0))
        store.addQuoteLine(id, "Labour", 1, 8900)

        // Completion is refused, and every missing item is listed.
        val refused = assertFailsWith<ApiException.IncompleteCompletion> { store.complete(id) }
        val missing = refused.missing.map { it.item }
        assertTrue(MissingItem.FunctionTest in missing, "$missing")
        assertTrue(MissingItem.Signature in missing, "$missing")
        assertTrue(MissingItem.CustomerApproval(8950L + 8900L) in missing, "$missing")
        assertTrue(missing.any { it is MissingItem.ChecklistItem }, "$missing")
        assertTrue(refused.missing.all { it.text.isNotBlank() })
        assertEquals(refused.missing, store.missingForCompletion(id))
        assertEquals(Status.ON_SITE, store.jobDetail(id).workOrder.status)

        // Bad input lists every problem at once.
        val invalid = assertFailsWith<ApiException.Invalid> {
            store.addPartLine(id, NewPartLine(PartDirection.INSTALLED, "", "", 0, null, null, Billing.CHARGEABLE, -1))
        }
        assertTrue(invalid.problems.map { it.field }.containsAll(listOf("part_number", "description", "quantity")))

        for (line in store.visitRecord(id).checklist.filter { it.item.required }) {
            store.recordChecklistResult(id, line.item.key, Outcome.PASS, null)
        }
        store.recordFunctionTest(id, true, "Full cycle, drains")
        val decision = store.decideQuote(id, true, "Paul Klein")
        assertEquals(8950L + 8900L, decision.totalCents)
        val signed = store.signOff(id, "Paul Klein", signature())
        assertEquals(64, signed.reportSha256.length)
        assertTrue(store.missingForCompletion(id).isEmpty())

        assertEquals(Status.COMPLETED, store.complete(id).to)
        val visit = store.visitRecord(id)
        assertEquals(Status.COMPLETED, visit.workOrder.status)
        assertEquals(listOf("F11"), visit.diagnoses.single().errorCodes)
        assertEquals(178.5, visit.measurements.single().value)
        assertEquals(2, visit.parts.size)
        assertEquals(Approval.Approved("Paul Klein"), visit.charges.approval)
        assertEquals(true, visit.functionTest?.passed)
        assertTrue(visit.statusChanges.map { it.to }.containsAll(listOf(Status.ON_SITE, Status.COMPLETED)))

        val report = store.serviceReport(id)
        assertEquals(signed.reportSha256, report.sha256)
        assertIs<Signature.Signed>(report.signature)
        assertEquals(8950L + 8900L, report.report.totalCents)
        assertTrue(store.pendingSyncCount() > 0uL, "every action is queued for sync")
        assertTrue(store.pendingChanges(5u).zipWithNext().all { (a, b) -> a.seq < b.seq })

        // A completed job takes no more records.
        assertFailsWith<ApiException.NotAllowed> { store.addNote(id, "too late") }
    }

    @Test
    fun theEngineerCorrectsTheSiteButNotTheAppointment() {
        val id = seed().first()
        val before = store.jobDetail(id)
        val queued = store.pendingSyncCount()

        store.editFields(Entity.SITE, before.site.id, mapOf("access_notes" to "Key safe 4711, side gate"))
        store.editFields(Entity.CUSTOMER, before.customer.id, mapOf("phone" to null))
        val after = store.jobDetail(id)
        assertEquals("Key safe 4711, side gate", after.site.accessNotes)
        assertEquals(null, after.customer.phone)
        assertEquals(queued + 2uL, store.pendingSyncCount(), "each edit is queued for sync")

        // The appointment and the priority are the dispatcher's.
        val priority = assertFailsWith<ApiException.NotAllowed> {
            store.editFields(Entity.WORK_ORDER, id, mapOf("priority" to "emergency"))
        }
        assertTrue(priority.detail.isNotBlank())
        val start = before.workOrder.window.start.plusSeconds(3600)
        assertFailsWith<ApiException.NotAllowed> {
            store.editFields(
                Entity.WORK_ORDER,
                id,
                mapOf("window_start" to start.toString(), "window_end" to start.plusSeconds(7200).toString()),
            )
        }
        val bad = assertFailsWith<ApiException.Invalid> {
            store.editFields(Entity.SITE, before.site.id, mapOf("address" to "Elsewhere 1"))
        }
        assertEquals("address", bad.problems.single().field)
        assertFailsWith<ApiException.NotFound> {
            store.editFields(Entity.SITE, "0190f1d2-0000-7000-8000-000000000000", mapOf("access_notes" to "x"))
        }
        // A kind of row with no editable fields is a typed refusal, not a crash.
        val notEditable = assertFailsWith<ApiException.Invalid> {
            store.editFields(Entity.DIAGNOSIS, id, mapOf("cause" to "x"))
        }
        assertEquals("cause", notEditable.problems.single().field)
        val unchanged = store.jobDetail(id)
        assertEquals(before.workOrder.priority, unchanged.workOrder.priority)
        assertEquals(before.workOrder.window, unchanged.workOrder.window)
        assertEquals(before.site.address, unchanged.site.address)
        assertEquals(queued + 2uL, store.pendingSyncCount(), "nothing refused was queued")
    }

    @Test
    fun syncWithoutSignInIsATypedError() {
        assertFailsWith<ApiException.NotSignedIn> { store.syncNow() }
        assertFailsWith<ApiException.NotSignedIn> { store.startBackgroundSync(SyncLoopConfig()) }
    }
}
