import Foundation
import OnsiteBindings

/// A running background sync loop (the core's timer with back-off and jitter).
public final class SyncLoop: @unchecked Sendable {
    private let loop: BackgroundSync
    private let queue = DispatchQueue(label: "app.onsite.sync")

    init(_ loop: BackgroundSync) {
        self.loop = loop
    }

    /// The current status first, then every change, until the consumer stops iterating (or
    /// its task is cancelled): then the stream finishes and the `ObserverHandle` is told to
    /// stop, so the core stops calling back at once rather than when ARC gets to the handle.
    ///
    /// Keeps only the newest status: a status is a state, and the observer runs on the core's
    /// sync thread, which must never wait for a slow consumer.
    public func statuses() -> AsyncStream<SyncStatus> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let handle = loop.observe(observer: StreamObserver(continuation))
            continuation.onTermination = { _ in handle.stopObserving() }
        }
    }

    /// The current status, without waiting for a change.
    public var status: SyncStatus { loop.status() }

    /// Runs a round now (the network came back, pull to refresh).
    public func syncSoon() { loop.syncSoon() }

    /// Stops the loop; a round in progress finishes first, so this waits off the caller's thread.
    public func stop() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.loop.stop()
                continuation.resume()
            }
        }
    }
}

/// Forwards the core's callbacks into an `AsyncStream`. `yield` never blocks.
private final class StreamObserver: SyncObserver {
    let continuation: AsyncStream<SyncStatus>.Continuation

    init(_ continuation: AsyncStream<SyncStatus>.Continuation) {
        self.continuation = continuation
    }

    func onStatus(status: SyncStatus) {
        continuation.yield(status)
    }
}
