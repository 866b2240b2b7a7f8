// Runs the JUnit 4 test classes named on the command line and ends with one summary line,
// "kotlin: N passed, N failed"; exits non-zero if any test failed or none ran.
package app.onsite.tests

import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener
import org.junit.runner.Description
import kotlin.system.exitProcess

fun main(args: Array<String>) {
    val classes = args.map { Class.forName(it) }
    val core = JUnitCore()
    core.addListener(object : RunListener() {
        private var started = 0L
        override fun testStarted(description: Description) {
            started = System.nanoTime()
        }
        override fun testFinished(description: Description) {
            val ms = (System.nanoTime() - started) / 1_000_000
            println("test ${description.className}.${description.methodName} ... ${ms} ms")
        }
        override fun testFailure(failure: Failure) {
            println("FAILED ${failure.description.displayName}\n${failure.trace}")
        }
    })
    val result = core.run(*classes.toTypedArray())
    val failed = result.failureCount
    val passed = result.runCount - failed
    println("kotlin: $passed passed, $failed failed")
    exitProcess(if (failed == 0 && result.runCount > 0) 0 else 1)
}
