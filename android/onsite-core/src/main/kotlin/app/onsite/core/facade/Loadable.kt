package app.onsite.core.facade

import kotlin.coroutines.cancellation.CancellationException

/** A screen's data: loading, there, or failed with a [Problem]. */
sealed interface Loadable<out T> {
    /** Not there yet. */
    data object Loading : Loadable<Nothing>

    /** Loaded. */
    data class Ready<T>(val value: T) : Loadable<T>

    /** The call failed; [problem] says why and what to offer. */
    data class Failed(val problem: Problem) : Loadable<Nothing>

    /** The value when [Ready], else null. */
    val valueOrNull: T? get() = (this as? Ready<T>)?.value
}

/**
 * Runs [block] and wraps the answer or the failure. Cancellation is rethrown, never turned
 * into a [Problem]: a screen that went away must not show an error.
 */
suspend fun <T> loadable(block: suspend () -> T): Loadable<T> = try {
    Loadable.Ready(block())
} catch (e: CancellationException) {
    throw e
} catch (e: Exception) {
    Loadable.Failed(e.toProblem())
}
