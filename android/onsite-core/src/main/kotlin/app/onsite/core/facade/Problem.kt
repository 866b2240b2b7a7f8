package app.onsite.core.facade

import app.onsite.core.ffi.ApiException

/**
 * What a screen shows for a failed call, and what the engineer can do about it.
 *
 * @property action what the app offers next (refresh, fix the form, sign in, retry, ...).
 * @property message the core's sentence ([ApiException] variants all carry a `detail`).
 * @property fields problems per form field, for [Action.FixInput] (several joined with "; ").
 * @property missing everything completion still needs, for [Action.FinishVisit].
 */
data class Problem(
    val action: Action,
    val message: String,
    val fields: Map<String, String> = emptyMap(),
    val missing: List<String> = emptyList(),
) {
    /** The next step the app offers; one per [ApiException] variant an app acts on. */
    enum class Action {
        /** The record is gone: go back and refresh the list. */
        Refresh,
        /** Not allowed in this status or role: nothing to retry. */
        NotAllowed,
        /** Show [fields] next to the form's inputs. */
        FixInput,
        /** Show [missing] as a to-do list. */
        FinishVisit,
        /** Ask for sign-in. */
        SignIn,
        /** The server disagreed or was unreachable: local work is kept; retry later. */
        RetryLater,
        /** The store file cannot be used: offer support, never delete it. */
        Storage,
        /** Anything else. */
        Other,
    }
}

/** Maps any failure of a facade call to a [Problem]; non-core exceptions become [Problem.Action.Other]. */
fun Throwable.toProblem(): Problem = when (this) {
    is ApiException.NotFound -> Problem(Problem.Action.Refresh, detail)
    is ApiException.NotAllowed -> Problem(Problem.Action.NotAllowed, detail)
    is ApiException.Invalid -> Problem(
        Problem.Action.FixInput,
        detail,
        fields = problems.groupBy({ it.field }, { it.text }).mapValues { (_, texts) -> texts.joinToString("; ") },
    )
    is ApiException.IncompleteCompletion -> Problem(Problem.Action.FinishVisit, detail, missing = missing.map { it.text })
    is ApiException.NotSignedIn -> Problem(Problem.Action.SignIn, detail)
    is ApiException.Conflict -> Problem(Problem.Action.RetryLater, detail)
    is ApiException.Network -> Problem(Problem.Action.RetryLater, detail)
    is ApiException.Storage -> Problem(Problem.Action.Storage, detail)
    is ApiException.Other -> Problem(Problem.Action.Other, detail)
    else -> Problem(Problem.Action.Other, message ?: this::class.simpleName ?: "Unexpected error")
}
