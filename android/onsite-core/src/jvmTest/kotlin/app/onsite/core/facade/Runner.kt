// Runs the facade's JUnit 4 test classes named on the command line; the last line is
// "android-facade: N passed, N failed". Exits non-zero if a test failed or none ran.
package app.onsite.core.facade

import org.junit.runner.Description
import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener
import kotlin.system.exitProcess

fun main(args: Array<String>) {
    val core = JUnitCore()
    core.addListener(object : RunListener() {
        private var started = 0L
        override fun testStarted(description: Description) {
            started = System.nanoTime()
        }
        override fun testFinished(description: Description) {
            println("test ${description.className}.${description.methodName} ... ${(System.nanoTime() - started) / 1_000_000} ms")
        }
        override fun testFailure(failure: Failure) {
            println("FAILED ${failure.description.displayName}\n${failure.trace}")
        }
    })
    val result = core.run(*args.map { Class.forName(it) }.toTypedArray())
    println("android-facade: ${result.runCount - result.failureCount} passed, ${result.failureCount} failed")
    exitProcess(if (result.failureCount == 0 && result.runCount > 0) 0 else 1)
}
