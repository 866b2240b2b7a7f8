package app.onsite.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.LifecycleResumeEffect
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.onsite.app.vm.JobsViewModel
import app.onsite.app.vm.OnsiteViewModels
import app.onsite.core.facade.label
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import app.onsite.core.JobSummary

private val hourMinute = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault())

/** Today's jobs in appointment order; tap one to open it. */
@Composable
fun JobsScreen(onOpen: (jobId: String) -> Unit, onSync: () -> Unit) {
    val vm: JobsViewModel = viewModel(factory = OnsiteViewModels)
    val jobs by vm.jobs.collectAsStateWithLifecycle()
    // Coming back from a job (or from sync) shows its new status.
    LifecycleResumeEffect(vm) {
        vm.refresh()
        onPauseOrDispose {}
    }
    OnsiteScaffold("Today", actions = { TextButton(onClick = onSync) { Text("Sync") } }) { padding ->
        LoadableContent(jobs, Modifier.padding(padding)) { list ->
            if (list.isEmpty()) {
                Text("No jobs today.", Modifier.padding(padding).padding(16.dp))
            } else {
                LazyColumn(contentPadding = padding) {
                    items(list, key = { it.id }) { job -> JobRow(job) { onOpen(job.id) } }
                }
            }
        }
    }
}

@Composable
private fun JobRow(job: JobSummary, onClick: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 6.dp).clickable(onClick = onClick)) {
        Column(Modifier.padding(12.dp)) {
            val window = "${hourMinute.format(job.windowStart)}–" +
                hourMinute.format(job.windowEnd)
            Text("$window · ${job.number} · ${job.status.label}", style = MaterialTheme.typography.labelLarge)
            Text(job.customerName, style = MaterialTheme.typography.titleMedium)
            Text(job.address)
            Text(listOfNotNull(job.asset, job.symptom, job.errorCode).joinToString(" · "))
        }
    }
}
