// Sync through the generated Kotlin bindings against the real onsite-server binary on
// loopback: the back office dispatches a job over HTTP, the engineer's store receives it in the
// background loop (status callbacks in Kotlin), does the visit offline, and the completed
// report reaches the back office. The server binary comes from $ONSITE_SERVER_BIN.
package app.onsite.tests

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.test.fail
import app.onsite.core.*
import app.onsite.core.ffi.*

/** The server process and a back-office client with the admin's token. */
class TestServer(private val dir: Path) : AutoCloseable {
    private val bin = System.getenv("ONSITE_SERVER_BIN") ?: error("ONSITE_SERVER_BIN is not set")
    private val http = HttpClient.newHttpClient()
    private val token: String
    private val process: Process
    val url: String

    init {
        val data = dir.resolve("server").toString()
        val admin = ProcessBuilder(bin, "--data", data, "create-admin", "admin")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start()
        token = admin.inputStream.bufferedReader().readText().trim()
        check(admin.waitFor() == 0 && token.isNotEmpty()) { "create-admin failed" }
        process = ProcessBuilder(bin, "--data", data, "--listen", "127.0.0.1:0")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val line = process.inputStream.bufferedReader().readLine() ?: error("server printed nothing")
        url = line.removePrefix("listening on ").trim()
    }

    fun call(method: String, path: String, json: String? = null): Pair<Int, String> {
        val body = json?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val req = HttpRequest.newBuilder(URI.create(url + path))
            .header("authorization", "Bearer $token")
            .header("content-type", "application/json")
            .method(method, body).build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        return resp.statusCode() to resp.body()
    }

    fun post(path: String, json: String): String {
        val (status, body) = call("POST", path, json)
        assertEquals(200, status, "POST $path: $body")
        return body
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }
}

fun field(json: String, name: String): String =
    Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: error("no $name in $json")

/** Records every status it is told, and can wait for one. */
class Recorder : SyncObserver {
    val seen = CopyOnWriteArrayList<SyncStatus>()
    override fun onStatus(status: SyncStatus) {
        seen.add(status)
    }

    fun await(what: String, timeoutMs: Long = 20_000, ok: (SyncStatus) -> Boolean): SyncStatus {
        val end = System.currentTimeMillis() + timeoutMs
        while (System.currentTimeMillis() < end) {
            seen.lastOrNull { ok(it) }?.let { return it }
            Thread.sleep(20)
        }
        fail("no status with $what within $timeoutMs ms; saw $seen")
    }
}

class SyncTest {
    private lateinit var dir: Path
    private lateinit var server: TestServer

    @BeforeTest
    fun start() {
        dir = Files.createTempDirectory("onsite-kotlin-sync")
        server = TestServer(dir)
    }

    @AfterTest
    fun stop() {
        server.close()
        dir.toFile().deleteRecursively()
    }

    private fun engineerToken(name: String): String {
        val user = server.post("/v1/users", """{"name":"$name","role":"engineer"}""")
        return field(server.post("/v1/users/${field(user, "id")}/tokens", "{}"), "token")
    }

    private fun dispatch(number: String, engineer: String): String {
        val customer = field(server.post("/v1/customers", """{"name":"Paul Klein","phone":"+49 30 1731715"}"""), "id")
        val site = field(server.post("/v1/customers/$customer/sites", """{"address":"Rosenstraße 45, 04109 Leipzig","access_notes":"Ring twice"}"""), "id")
        val asset = field(server.post("/v1/sites/$site/assets", """{"kind":"appliance","category":"washing machine","brand":"Miele","model":"WWD320","serial":"MI31192374","warranty_ends_on":"2024-01-01"}"""), "id")
        val start = Instant.now().minusSeconds(30 * 60)
        val wo = server.post("/v1/work-orders", """{"number":"$number","kind":"repair","priority":"high",
            "customer_id":"$customer","site_id":"$site","asset_id":"$asset",
            "fault":{"symptom":"Does not drain","error_code":"F11"},
            "window":{"window_start":"$start","window_end":"${start.plusSeconds(7200)}"},
            "assignee":"$engineer"}""")
        return field(wo, "id")
    }

    @Test
    fun syncNowBringsTheDispatchedJobAndSendsTheVisit() {
        val token = engineerToken("eng-a")
        val id = dispatch("WO-7001", "eng-a")
        OnsiteStore.open(dir.resolve("eng-a.db").toString()).use { store ->
            store.login(server.url, token)
            assertEquals(server.url, store.session()?.serverUrl)
            val first = store.syncNow()
            assertTrue(first.pulled > 0uL, "$first")
            assertEquals(listOf(id), store.todaysJobs(0).map { it.id })

            store.setStatus(id, Status.ACCEPTED, null)
            store.addNote(id, "On my way")
            val second = store.syncNow()
            assertEquals(2uL, second.pushed)
            assertEquals(2uL, second.push.applied)
            assertEquals(0uL, store.pendingSyncCount())

            // Logging out keeps what waits and stops syncing until the next login.
            store.addNote(id, "Parked outside")
            store.logout()
            assertEquals(null, store.session())
            assertFailsWith<ApiException.NotSignedIn> { store.syncNow() }
            assertEquals(1uL, store.pendingSyncCount())
            assertFailsWith<ApiException.Invalid> { store.login("ftp://nowhere", token) }
            store.login(server.url, token)
            assertEquals(1uL, store.syncNow().push.applied)
        }
    }

    @Test
    fun backgroundLoopReportsStatusToKotlinAndAVisitReachesTheBackOffice() {
        val token = engineerToken("eng-a")
        val id = dispatch("WO-7002", "eng-a")
        OnsiteStore.open(dir.resolve("eng-a.db").toString()).use { store ->
            store.login(server.url, token)
            val loop = store.startBackgroundSync(SyncLoopConfig(intervalMs = 60_000uL))
            val recorder = Recorder()
            val handle = loop.observe(recorder)
            recorder.await("a successful round") { it.state == SyncState.Idle && it.lastReport != null }
            assertTrue(recorder.seen.any { it.state == SyncState.Syncing } || recorder.seen.first().lastReport != null)
            assertEquals(listOf(id), store.todaysJobs(0).map { it.id })

            // The whole visit, offline as far as the loop is concerned (it waits for its timer).
            for (next in listOf(Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)) store.setStatus(id, next, null)
            store.addDiagnosis(id, NewDiagnosis("Does not drain", "Drain pump blocked", listOf("F11")))
            store.addMeasurement(id, "Pump coil", 178.5, "Ω")
            for (line in store.visitRecord(id).checklist.filter { it.item.required }) {
                store.recordChecklistResult(id, line.item.key, Outcome.PASS, null)
            }
            store.recordFunctionTest(id, true, "Full cycle")
            store.signOff(id, "Paul Klein", listOf(Stroke(listOf(StrokePoint(0f, 0f, 0u), StrokePoint(9f, 9f, 16u)))))
            store.complete(id)
            val queued = store.pendingSyncCount()
            assertTrue(queued >= 8uL, "queued $queued")

            loop.syncSoon()
            val done = recorder.await("everything sent") {
                it.state == SyncState.Idle && it.pending == 0uL && (it.lastReport?.pushed ?: 0uL) > 0uL
            }
            assertEquals(queued, done.lastReport?.push?.applied)
            val progress = recorder.seen.mapNotNull { it.progress }
            assertTrue(progress.any { it.pushed == queued && it.toPush == queued }, "progress seen: $progress")
            assertEquals(null, done.progress, "no progress once the round is over")
            val (status, report) = server.call("GET", "/v1/work-orders/$id/report")
            assertEquals(200, status, report)
            assertTrue(report.contains("Drain pump blocked"), report)

            // Closing the handle stops the callbacks; the loop goes on.
            handle.close()
            val before = recorder.seen.size
            val lastSuccess = loop.status().lastSuccess
            loop.syncSoon()
            val end = System.currentTimeMillis() + 20_000
            while (loop.status().lastSuccess == lastSuccess && System.currentTimeMillis() < end) Thread.sleep(20)
            assertTrue(loop.status().lastSuccess != lastSuccess, "another round ran")
            assertEquals(before, recorder.seen.size, "no callbacks after the handle was closed")

            loop.stop()
            assertEquals(false, loop.isRunning())
            loop.close()
        }
    }

    @Test
    fun anUnreachableServerIsReportedAsOfflineAndATypedError() {
        OnsiteStore.open(dir.resolve("offline.db").toString()).use { store ->
            store.login("http://127.0.0.1:9", "ons_nothing")
            assertFailsWith<ApiException.Network> { store.syncNow() }
            val loop = store.startBackgroundSync(SyncLoopConfig(minBackoffMs = 50uL, maxBackoffMs = 200uL))
            val recorder = Recorder()
            loop.observe(recorder).use {
                recorder.await("an offline state") { it.state is SyncState.Offline && it.failures >= 2u }
            }
            loop.stop()
        }
    }

    @Test
    fun aRevokedOrWrongTokenIsNotSignedIn() {
        OnsiteStore.open(dir.resolve("wrong.db").toString()).use { store ->
            store.login(server.url, "ons_wrong")
            assertFailsWith<ApiException.NotSignedIn> { store.syncNow() }
        }
    }
}
