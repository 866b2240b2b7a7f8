package app.onsite.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.LifecycleResumeEffect
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.onsite.app.vm.JobViewModel
import app.onsite.app.vm.OnsiteViewModels
import app.onsite.core.facade.label
import app.onsite.core.JobDetail
import app.onsite.core.Status

/** The job: customer, site, appliance, fault, history; status changes; completion. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun JobDetailScreen(onWork: (String) -> Unit, onSign: (String) -> Unit, onBack: () -> Unit) {
    val vm: JobViewModel = viewModel(factory = OnsiteViewModels)
    val ui by vm.ui.collectAsStateWithLifecycle()
    LifecycleResumeEffect(vm) {
        vm.refresh() // back from the work or sign-off screen
        onPauseOrDispose {}
    }
    OnsiteScaffold(ui.detail.valueOrNull?.workOrder?.number ?: "Job", onBack = onBack) { padding ->
        LoadableContent(ui.detail, Modifier.padding(padding)) { job ->
            Column(Modifier.fillMaxSize().padding(padding).padding(16.dp).verticalScroll(rememberScrollState())) {
                ui.problem?.let { ProblemBanner(it, onDismiss = vm::dismissProblem) }
                JobFacts(job)
                HorizontalDivider(Modifier.padding(vertical = 12.dp))
                Text("Status: ${job.workOrder.status.label}", style = MaterialTheme.typography.titleMedium)
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    // The core says which moves are legal; COMPLETED goes through complete().
                    job.nextStatuses.filter { it != Status.COMPLETED }.forEach { next ->
                        OutlinedButton(enabled = !ui.busy, onClick = { vm.act { setStatus(it, next) } }) { Text(next.label) }
                    }
                }
                if (job.workOrder.status == Status.ON_SITE) {
                    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Button(onClick = { onWork(vm.jobId) }) { Text("Diagnosis & parts") }
                        Button(onClick = { onSign(vm.jobId) }) { Text("Customer sign-off") }
                    }
                    if (ui.missing.isNotEmpty()) {
                        Text("Still needed to complete:", Modifier.padding(top = 12.dp))
                        ui.missing.forEach { Text("• ${it.text}") }
                    }
                    Button(enabled = !ui.busy && ui.missing.isEmpty(), onClick = { vm.act { complete(it) } }) {
                        Text("Complete job")
                    }
                }
            }
        }
    }
}

@Composable
private fun JobFacts(job: JobDetail) {
    val wo = job.workOrder
    Text(job.customer.name, style = MaterialTheme.typography.headlineSmall)
    job.customer.phone?.let { Text(it) }
    Text(job.site.address)
    if (job.site.accessNotes.isNotBlank()) Text("Access: ${job.site.accessNotes}")
    job.asset?.let { Text("${it.brand} ${it.model} (${it.category}) · serial ${it.serial}") }
    Text("Coverage: ${job.coverage.label}")
    Text("Fault: ${wo.fault.symptom}" + (wo.fault.errorCode?.let { " · code $it" } ?: ""))
    wo.fault.trigger?.let { Text("When: $it") }
    if (job.history.isNotEmpty()) {
        Text("Earlier visits", Modifier.padding(top = 8.dp), style = MaterialTheme.typography.titleSmall)
        job.history.forEach { visit ->
            Text("${visit.number}: ${visit.symptom}" + visit.diagnoses.joinToString("") { " → ${it.cause}" })
        }
    }
}
