import Foundation
@_exported import OnsiteBindings

/// The app's entry to the core: every blocking store call as an `async` function.
///
/// Calls run on a dedicated concurrent dispatch queue, not on the Swift concurrency pool:
/// the core's calls block (SQLite, and `syncNow` waits for the network), and blocking the
/// cooperative pool's few threads would stall every other task in the app. The store is safe
/// to call from any thread; the core serializes writes itself.
///
/// Errors are the generated `ApiError`; `Problem(error)` turns one into what a screen shows.
public final class Onsite: @unchecked Sendable {
    /// The generated store (one per file; keep this object for the app's lifetime).
    public let store: OnsiteStore
    private static let queue = DispatchQueue(label: "app.onsite.store", qos: .userInitiated, attributes: .concurrent)

    /// Wraps an open store.
    public init(store: OnsiteStore) {
        self.store = store
    }

    /// Opens (or creates, or upgrades) the store at `path` off the caller's thread.
    public static func open(path: String) async throws -> Onsite {
        Onsite(store: try await run { try OnsiteStore.open(path: path) })
    }

    /// Opens the store in Application Support, excluded from iCloud/iTunes backup: a restored
    /// copy on another phone would reuse this store's client id and outbox numbers, which the
    /// server refuses. A new phone starts fresh and pulls its jobs.
    public static func openForApp(fileName: String = "engineer.db") async throws -> Onsite {
        var dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                              appropriateFor: nil, create: true)
            .appendingPathComponent("Onsite", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        return try await open(path: dir.appendingPathComponent(fileName).path)
    }

    private static func run<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs one store call on the store queue. The escape hatch for calls without a wrapper.
    public func call<T>(_ body: @escaping (OnsiteStore) throws -> T) async throws -> T {
        let store = self.store
        return try await Onsite.run { try body(store) }
    }

    /// Today's jobs in appointment order; "today" in the phone's current time zone by default.
    public func todaysJobs(utcOffsetMinutes: Int32 = Onsite.localUtcOffsetMinutes()) async throws -> [JobSummary] {
        try await call { try $0.todaysJobs(utcOffsetMinutes: utcOffsetMinutes) }
    }

    /// The job screen: work order, customer, site, asset, coverage, history, next statuses.
    public func jobDetail(_ workOrderId: String) async throws -> JobDetail {
        try await call { try $0.jobDetail(workOrderId: workOrderId) }
    }

    /// Everything recorded on the visit so far.
    public func visitRecord(_ workOrderId: String) async throws -> VisitRecord {
        try await call { try $0.visitRecord(workOrderId: workOrderId) }
    }

    /// Moves the job as the engineer; `ApiError.NotAllowed` if the state machine refuses.
    @discardableResult
    public func setStatus(_ workOrderId: String, to: Status, reason: String? = nil) async throws -> StatusChange {
        try await call { try $0.setStatus(workOrderId: workOrderId, to: to, reason: reason) }
    }

    /// Records a diagnosis.
    @discardableResult
    public func addDiagnosis(_ workOrderId: String, symptom: String, cause: String, errorCodes: [String]) async throws -> Diagnosis {
        let diagnosis = NewDiagnosis(symptom: symptom, cause: cause, errorCodes: errorCodes)
        return try await call { try $0.addDiagnosis(workOrderId: workOrderId, diagnosis: diagnosis) }
    }

    /// Records a measurement. (Qualified: Foundation has a `Measurement` type too.)
    @discardableResult
    public func addMeasurement(_ workOrderId: String, name: String, value: Double, unit: String) async throws -> OnsiteBindings.Measurement {
        try await call { try $0.addMeasurement(workOrderId: workOrderId, name: name, value: value, unit: unit) }
    }

    /// Appends a note.
    @discardableResult
    public func addNote(_ workOrderId: String, body: String) async throws -> Note {
        try await call { try $0.addNote(workOrderId: workOrderId, body: body) }
    }

    /// Records a part installed or removed.
    @discardableResult
    public func addPartLine(_ workOrderId: String, part: NewPartLine) async throws -> PartLine {
        try await call { try $0.addPartLine(workOrderId: workOrderId, part: part) }
    }

    /// Records one checklist item's result.
    @discardableResult
    public func recordChecklistResult(_ workOrderId: String, itemKey: String, result: Outcome, note: String? = nil) async throws -> ChecklistResult {
        try await call { try $0.recordChecklistResult(workOrderId: workOrderId, itemKey: itemKey, result: result, note: note) }
    }

    /// Records the function test.
    @discardableResult
    public func recordFunctionTest(_ workOrderId: String, passed: Bool, notes: String) async throws -> FunctionTest {
        try await call { try $0.recordFunctionTest(workOrderId: workOrderId, passed: passed, notes: notes) }
    }

    /// The customer's decision on the current charges.
    @discardableResult
    public func decideQuote(_ workOrderId: String, approved: Bool, signerName: String) async throws -> QuoteDecision {
        try await call { try $0.decideQuote(workOrderId: workOrderId, approved: approved, signerName: signerName) }
    }

    /// The customer's signature on the report as it is now.
    @discardableResult
    public func signOff(_ workOrderId: String, signerName: String, strokes: [Stroke]) async throws -> SignOff {
        try await call { try $0.signOff(workOrderId: workOrderId, signerName: signerName, strokes: strokes) }
    }

    /// What completion still needs; empty when `complete` would succeed.
    public func missingForCompletion(_ workOrderId: String) async throws -> [Missing] {
        try await call { try $0.missingForCompletion(workOrderId: workOrderId) }
    }

    /// Completes the job; `ApiError.IncompleteCompletion` lists every missing item otherwise.
    @discardableResult
    public func complete(_ workOrderId: String) async throws -> StatusChange {
        try await call { try $0.complete(workOrderId: workOrderId) }
    }

    /// The conflict log, newest first.
    public func conflicts(includeSeen: Bool = false) async throws -> [Conflict] {
        try await call { try $0.conflicts(includeSeen: includeSeen) }
    }

    /// Hides a conflict from the unseen list.
    public func markConflictSeen(_ conflictId: String) async throws {
        try await call { try $0.markConflictSeen(conflictId: conflictId) }
    }

    /// Whether a server and token are stored.
    public func isSignedIn() async throws -> Bool {
        try await call { try $0.session() != nil }
    }

    /// Stores the server and token for sync.
    public func login(serverUrl: String, token: String) async throws {
        try await call { try $0.login(serverUrl: serverUrl, token: token) }
    }

    /// One sync round now; `ApiError.Network` when the server cannot be reached.
    @discardableResult
    public func syncNow() async throws -> SyncReport {
        try await call { try $0.syncNow() }
    }

    /// Starts the core's background sync loop; `ApiError.NotSignedIn` before `login`.
    public func startSync(config: SyncLoopConfig = SyncLoopConfig()) async throws -> SyncLoop {
        SyncLoop(try await call { try $0.startBackgroundSync(config: config) })
    }

    /// Minutes east of UTC now in the phone's time zone.
    public static func localUtcOffsetMinutes() -> Int32 {
        Int32(TimeZone.current.secondsFromGMT() / 60)
    }
}
