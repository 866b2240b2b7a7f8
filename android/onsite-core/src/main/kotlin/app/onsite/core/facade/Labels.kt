package app.onsite.core.facade

import app.onsite.core.Coverage
import app.onsite.core.Status
import app.onsite.core.SyncState
import app.onsite.core.SyncStatus
import java.time.Duration
import java.time.Instant
import kotlin.math.abs

// Short English texts for the screens. Shared by every screen (and tested) so the same state
// always reads the same; a localized app would swap these for string resources.

/** "On site", "Awaiting parts", ... */
val Status.label: String
    get() = name.lowercase().replace('_', ' ').replaceFirstChar { it.uppercase() }

/** Cents as "1,234.50" (money crosses the FFI as `i64` cents; never a floating-point amount). */
fun formatCents(cents: Long): String {
    val sign = if (cents < 0) "-" else ""
    val whole = abs(cents / 100).toString().reversed().chunked(3).joinToString(",").reversed()
    return "$sign$whole.${abs(cents % 100).toString().padStart(2, '0')}"
}

/** "Warranty until 2027-03-01", "Contract Gold until ...", "Chargeable". */
val Coverage.label: String
    get() = when (this) {
        is Coverage.Warranty -> "Warranty until $endsOn"
        is Coverage.Contract -> "Contract $plan until $endsOn"
        Coverage.Chargeable -> "Chargeable"
    }

/** A duration as "45 s", "3 min", "2 h". */
fun formatAgo(ms: Long): String = when {
    ms < 60_000 -> "${ms / 1000} s"
    ms < 3_600_000 -> "${ms / 60_000} min"
    else -> "${ms / 3_600_000} h"
}

/** One line for the sync bar, e.g. "Offline: connection refused · 3 waiting · retry in 8 s". */
fun SyncStatus.summary(now: Instant): String {
    val head = when (val s = state) {
        SyncState.Idle -> lastSuccess?.let { "Synced ${formatAgo(maxOf(0L, Duration.between(it, now).toMillis()))} ago" } ?: "Not synced yet"
        SyncState.Syncing -> "Syncing…"
        is SyncState.Offline -> "Offline: ${s.reason}"
        is SyncState.Failed -> "Sync failed: ${s.reason}"
    }
    val parts = mutableListOf(head)
    if (pending > 0uL) parts += "$pending waiting"
    if (state is SyncState.Offline || state is SyncState.Failed) parts += "retry in ${formatAgo(nextRoundInMs.toLong())}"
    return parts.joinToString(" · ")
}
