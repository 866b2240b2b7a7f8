package app.onsite.core.android

import android.content.Context
import app.onsite.core.facade.Onsite
import java.io.File
import java.time.Instant
import java.time.ZoneId

/**
 * Opens the engineer's store in the app's no-backup directory.
 *
 * Not in `filesDir`: Auto Backup would restore the file (with its client id and outbox
 * numbering) onto another phone, and the server refuses a second device that reuses the
 * same sequence numbers. A new phone starts with a fresh store and pulls its jobs instead.
 */
suspend fun Onsite.Companion.openForApp(context: Context, fileName: String = "engineer.db"): Onsite {
    val dir = File(context.noBackupFilesDir, "onsite").apply { mkdirs() }
    return open(File(dir, fileName).path)
}

/** Minutes east of UTC right now in the phone's zone, for "today's" jobs. */
fun localUtcOffsetMinutes(): Int = ZoneId.systemDefault().rules.getOffset(Instant.now()).totalSeconds / 60
