package app.onsite.app.ui

import java.time.Instant
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.onsite.app.vm.OnsiteViewModels
import app.onsite.app.vm.SyncViewModel
import app.onsite.core.facade.summary
import app.onsite.core.Conflict
import app.onsite.core.Kept

/** Sync status (live from the core's loop), sign-in, "sync now", and the conflict log. */
@Composable
fun SyncScreen(onBack: () -> Unit) {
    val vm: SyncViewModel = viewModel(factory = OnsiteViewModels)
    val status by vm.status.collectAsStateWithLifecycle()
    val conflicts by vm.conflicts.collectAsStateWithLifecycle()
    val problem by vm.problem.collectAsStateWithLifecycle()
    OnsiteScaffold("Sync", onBack = onBack) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(16.dp)) {
            problem?.let { ProblemBanner(it) }
            val current = status
            if (current == null) {
                SignIn(vm::signIn)
            } else {
                Text(current.summary(Instant.now()), style = MaterialTheme.typography.titleMedium)
                current.lastReport?.let { Text("Last round: ${it.pushed} sent, ${it.pulled} received, ${it.push.rejected} refused") }
                Button(onClick = vm::syncNow) { Text("Sync now") }
            }
            HorizontalDivider(Modifier.padding(vertical = 12.dp))
            Text("Conflicts", style = MaterialTheme.typography.titleMedium)
            LoadableContent(conflicts) { list ->
                if (list.isEmpty()) {
                    Text("None. Nothing you entered was overwritten or refused.")
                } else {
                    LazyColumn { items(list, key = { it.id }) { c -> ConflictRow(c) { vm.markSeen(c) } } }
                }
            }
        }
    }
}

@Composable
private fun SignIn(onSignIn: (String, String) -> Unit) {
    var url by rememberSaveable { mutableStateOf("https://") }
    var token by rememberSaveable { mutableStateOf("") }
    Text("Sign in to sync")
    OutlinedTextField(url, { url = it }, label = { Text("Server") }, singleLine = true, modifier = Modifier.fillMaxWidth())
    OutlinedTextField(token, { token = it }, label = { Text("Token") }, singleLine = true, modifier = Modifier.fillMaxWidth())
    Button(enabled = url.length > 8 && token.isNotBlank(), onClick = { onSignIn(url, token) }) { Text("Sign in") }
}

/** One conflict: which value won, which lost, and why (nothing is dropped silently). */
@Composable
private fun ConflictRow(conflict: Conflict, onSeen: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
        Column(Modifier.padding(12.dp)) {
            Text("${conflict.entity}${conflict.field?.let { ".$it" } ?: ""}", style = MaterialTheme.typography.labelLarge)
            Text(conflict.reason)
            val kept = if (conflict.kept == Kept.LOCAL) "yours" else "the server's"
            Text("Yours: ${conflict.localValue ?: "—"} · Server: ${conflict.remoteValue ?: "—"} · kept $kept")
            TextButton(onClick = onSeen) { Text("Seen") }
        }
    }
}
