import OnsiteBindings

/// Collects a signature as the core's `Stroke`s: one stroke per finger-down .. finger-up,
/// each point with its time in ms since that stroke began. Mirrors the Android
/// `StrokeRecorder` (which is tested on the JVM); keep the two in step.
public struct StrokeRecorder: Equatable {
    private var done: [Stroke] = []
    private var current: [StrokePoint]?
    private var startedAt: Double = 0

    public init() {}

    /// Finger down at (`x`, `y`) at `time` (seconds, any monotonic clock).
    public mutating func begin(x: Float, y: Float, time: Double) {
        end()
        startedAt = time
        current = [StrokePoint(x: x, y: y, tMs: 0)]
    }

    /// Finger moved; ignored outside a stroke and when the position did not change.
    public mutating func move(x: Float, y: Float, time: Double) {
        guard var points = current, let last = points.last else { return }
        if last.x == x && last.y == y { return }
        // Time never runs backwards inside a stroke, and never overflows UInt32.
        let ms = UInt32(clamping: Int64(max(0, (time - startedAt) * 1000)))
        points.append(StrokePoint(x: x, y: y, tMs: max(ms, last.tMs)))
        current = points
    }

    /// Finger up: the stroke is kept (a tap is a one-point stroke, a dot).
    public mutating func end() {
        if let points = current { done.append(Stroke(points: points)) }
        current = nil
    }

    /// Removes the stroke being drawn, else the last finished one.
    public mutating func undo() {
        if current != nil { current = nil } else if !done.isEmpty { done.removeLast() }
    }

    /// Removes everything.
    public mutating func clear() {
        done = []
        current = nil
    }

    /// Finished strokes plus the one being drawn, as the core takes them.
    public var strokes: [Stroke] { done + (current.map { [Stroke(points: $0)] } ?? []) }

    /// Whether nothing has been drawn.
    public var isEmpty: Bool { done.isEmpty && current == nil }
}
