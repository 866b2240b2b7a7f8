package app.onsite.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import app.onsite.app.ui.JobDetailScreen
import app.onsite.app.ui.JobsScreen
import app.onsite.app.ui.SignOffScreen
import app.onsite.app.ui.SyncScreen
import app.onsite.app.ui.WorkScreen

/** The single activity; screens are Compose destinations. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        setContent { MaterialTheme { OnsiteNav() } }
    }
}

/** Routes: today's jobs → job → (diagnosis & parts | sign-off); sync from the jobs list. */
@Composable
private fun OnsiteNav() {
    val nav = rememberNavController()
    val job = listOf(navArgument("jobId") { type = NavType.StringType })
    NavHost(nav, startDestination = "jobs") {
        composable("jobs") {
            JobsScreen(onOpen = { nav.navigate("job/$it") }, onSync = { nav.navigate("sync") })
        }
        composable("job/{jobId}", job) {
            JobDetailScreen(
                onWork = { id -> nav.navigate("job/$id/work") },
                onSign = { id -> nav.navigate("job/$id/sign") },
                onBack = { nav.popBackStack() },
            )
        }
        composable("job/{jobId}/work", job) { WorkScreen(onBack = { nav.popBackStack() }) }
        composable("job/{jobId}/sign", job) { SignOffScreen(onDone = { nav.popBackStack() }) }
        composable("sync") { SyncScreen(onBack = { nav.popBackStack() }) }
    }
}
