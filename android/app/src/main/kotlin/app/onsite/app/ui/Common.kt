package app.onsite.app.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.onsite.core.facade.Loadable
import app.onsite.core.facade.Problem

/** A screen with a title, an optional back arrow and actions. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun OnsiteScaffold(
    title: String,
    onBack: (() -> Unit)? = null,
    actions: @Composable () -> Unit = {},
    content: @Composable (PaddingValues) -> Unit,
) {
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text(title) },
                navigationIcon = { if (onBack != null) IconButton(onClick = onBack) { Text("←") } },
                actions = { actions() },
            )
        },
        content = content,
    )
}

/** Draws [Loadable.Ready] with [content], a spinner while loading, the problem on failure. */
@Composable
fun <T> LoadableContent(value: Loadable<T>, modifier: Modifier = Modifier, content: @Composable (T) -> Unit) {
    when (value) {
        Loadable.Loading -> Box(modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
        is Loadable.Failed -> ProblemBanner(value.problem, modifier = modifier)
        is Loadable.Ready -> content(value.value)
    }
}

/** A refusal from the core: its sentence, the field problems or the missing items. */
@Composable
fun ProblemBanner(problem: Problem, modifier: Modifier = Modifier, onDismiss: (() -> Unit)? = null) {
    Card(
        modifier.fillMaxWidth().padding(8.dp),
        colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer),
    ) {
        Column(Modifier.padding(12.dp)) {
            Text(problem.message, style = MaterialTheme.typography.bodyLarge)
            problem.fields.forEach { (field, text) -> Text("• $field: $text") }
            problem.missing.forEach { Text("• $it") }
            if (problem.action == Problem.Action.RetryLater) Text("Your work is saved on this phone and will be sent later.")
            if (onDismiss != null) TextButton(onClick = onDismiss) { Text("OK") }
        }
    }
}
