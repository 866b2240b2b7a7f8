package app.onsite.core.facade

import app.onsite.core.Stroke
import app.onsite.core.StrokePoint

/**
 * Collects a signature as the core's [Stroke]s while the customer draws: one stroke per
 * finger-down .. finger-up, each point with its time in ms since that stroke began.
 *
 * Plain Kotlin so the pad's logic is tested on the JVM; the Compose pad only forwards pointer
 * events (position in px, event uptime in ms). Not thread-safe: call it from the UI thread.
 */
class StrokeRecorder {
    private val done = mutableListOf<Stroke>()
    private var current: MutableList<StrokePoint>? = null
    private var startedAtMs = 0L

    /** Finger down at ([x], [y]) at [uptimeMs]; an unfinished stroke is finished first. */
    fun begin(x: Float, y: Float, uptimeMs: Long) {
        end()
        startedAtMs = uptimeMs
        current = mutableListOf(StrokePoint(x, y, 0u))
    }

    /** Finger moved; ignored outside a stroke and when neither position nor time changed. */
    fun moveTo(x: Float, y: Float, uptimeMs: Long) {
        val points = current ?: return
        // Events can arrive out of order across batches; time never runs backwards in a stroke.
        val t = (uptimeMs - startedAtMs).coerceIn(0L, UInt.MAX_VALUE.toLong()).toUInt()
        val last = points.last()
        if (last.x == x && last.y == y) return
        points.add(StrokePoint(x, y, maxOf(t, last.tMs)))
    }

    /** Finger up: the stroke is kept (a tap is a one-point stroke, a dot). */
    fun end() {
        current?.let { done.add(Stroke(it.toList())) }
        current = null
    }

    /** Removes everything (the "clear" button). */
    fun clear() {
        done.clear()
        current = null
    }

    /** Removes the last finished stroke (the "undo" button). */
    fun undo() {
        if (current != null) current = null else if (done.isNotEmpty()) done.removeAt(done.lastIndex)
    }

    /** Finished strokes plus the one being drawn, as the core takes them. */
    val strokes: List<Stroke> get() = done.toList() + listOfNotNull(current?.let { Stroke(it.toList()) })

    /** Whether nothing has been drawn (the "sign" button stays disabled). */
    val isEmpty: Boolean get() = done.isEmpty() && current == null
}
