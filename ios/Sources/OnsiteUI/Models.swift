import Foundation
import OnsiteKit

/// Loading, loaded, or failed with a `Problem`.
public enum Loadable<T> {
    case loading
    case ready(T)
    case failed(Problem)

    /// The value when ready.
    public var value: T? {
        if case let .ready(value) = self { return value }
        return nil
    }
}

/// Today's jobs.
@MainActor
public final class JobsModel: ObservableObject {
    @Published public private(set) var jobs: Loadable<[JobSummary]> = .loading
    private let onsite: Onsite

    public init(onsite: Onsite) {
        self.onsite = onsite
    }

    /// Reads the list again.
    public func refresh() async {
        do { jobs = .ready(try await onsite.todaysJobs()) } catch { jobs = .failed(Problem(error)) }
    }
}

/// One job and every action on it; shared by the detail, work and sign-off views.
@MainActor
public final class JobModel: ObservableObject {
    @Published public private(set) var detail: Loadable<JobDetail> = .loading
    @Published public private(set) var visit: Loadable<VisitRecord> = .loading
    @Published public private(set) var missing: [Missing] = []
    /// The last action's failure, shown until dismissed.
    @Published public var problem: Problem?
    @Published public private(set) var busy = false

    public let jobId: String
    let onsite: Onsite

    public init(onsite: Onsite, jobId: String) {
        self.onsite = onsite
        self.jobId = jobId
    }

    /// Reads the job, the visit and what completion needs.
    public func refresh() async {
        do { detail = .ready(try await onsite.jobDetail(jobId)) } catch { detail = .failed(Problem(error)) }
        do { visit = .ready(try await onsite.visitRecord(jobId)) } catch { visit = .failed(Problem(error)) }
        missing = (try? await onsite.missingForCompletion(jobId)) ?? []
    }

    /// Runs one action (one core transaction) and reloads. A refusal becomes `problem`; the
    /// core stored nothing then. Returns whether it succeeded.
    @discardableResult
    public func act(_ action: @escaping (Onsite, String) async throws -> Void) async -> Bool {
        guard !busy else { return false } // a double tap must not record twice
        busy = true
        problem = nil
        defer { busy = false }
        var ok = true
        do { try await action(onsite, jobId) } catch { problem = Problem(error); ok = false }
        await refresh()
        return ok
    }
}

/// Sync status, sign-in and the conflict log.
@MainActor
public final class SyncModel: ObservableObject {
    @Published public private(set) var status: SyncStatus?
    @Published public private(set) var conflicts: Loadable<[Conflict]> = .loading
    @Published public var problem: Problem?
    /// Bumped by a sign-in, so a view's `.task(id:)` restarts `follow()` for the new loop.
    @Published public private(set) var session = 0
    private let onsite: Onsite
    private var loop: SyncLoop?

    public init(onsite: Onsite) {
        self.onsite = onsite
    }

    /// Starts the loop if signed in, then follows its status until the calling task is
    /// cancelled (SwiftUI's `.task` cancels it when the view goes away, which finishes the
    /// stream and stops the observer).
    public func follow() async {
        await refreshConflicts()
        do {
            guard try await onsite.isSignedIn() else { return }
            let loop = try await startedLoop()
            for await status in loop.statuses() {
                self.status = status
            }
        } catch {
            problem = Problem(error)
        }
    }

    private func startedLoop() async throws -> SyncLoop {
        if let loop { return loop }
        let started = try await onsite.startSync()
        loop = started
        return started
    }

    /// Stores the server and token; the view's `.task(id: session)` then follows the loop.
    public func signIn(serverUrl: String, token: String) async {
        do {
            try await onsite.login(serverUrl: serverUrl.trimmingCharacters(in: .whitespaces),
                                   token: token.trimmingCharacters(in: .whitespaces))
            session += 1
        } catch {
            problem = Problem(error)
        }
    }

    /// A round now.
    public func syncNow() {
        loop?.syncSoon()
    }

    /// Reads the conflict log again.
    public func refreshConflicts() async {
        do { conflicts = .ready(try await onsite.conflicts()) } catch { conflicts = .failed(Problem(error)) }
    }

    /// Marks a conflict as seen.
    public func markSeen(_ conflict: Conflict) async {
        do { try await onsite.markConflictSeen(conflict.id) } catch { problem = Problem(error) }
        await refreshConflicts()
    }
}
