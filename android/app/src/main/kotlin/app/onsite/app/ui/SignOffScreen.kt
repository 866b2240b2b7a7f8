package app.onsite.app.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.gestures.awaitEachGesture
import androidx.compose.foundation.gestures.awaitFirstDown
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.graphics.drawscope.Stroke as DrawStroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.onsite.app.vm.JobViewModel
import app.onsite.app.vm.OnsiteViewModels
import app.onsite.core.facade.StrokeRecorder
import app.onsite.core.facade.formatCents
import app.onsite.core.Approval

/**
 * The customer approves the charges (if any) and signs on the glass. The strokes go to the
 * core as they were drawn; the core renders the PNG and binds the signature to the report's
 * SHA-256, so the report must be complete before the customer signs.
 */
@Composable
fun SignOffScreen(onDone: () -> Unit) {
    val vm: JobViewModel = viewModel(factory = OnsiteViewModels)
    val ui by vm.ui.collectAsStateWithLifecycle()
    var signer by rememberSaveable { mutableStateOf("") }
    val pad = remember { StrokeRecorder() }
    // StrokeRecorder is plain Kotlin (tested on the JVM); this counter tells Compose to redraw.
    var drawn by remember { mutableIntStateOf(0) }

    OnsiteScaffold("Customer sign-off", onBack = onDone) { padding ->
        LoadableContent(ui.visit, Modifier.padding(padding)) { visit ->
            Column(Modifier.fillMaxSize().padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                ui.problem?.let { ProblemBanner(it, onDismiss = vm::dismissProblem) }
                val charges = visit.charges
                Text("Charges: ${formatCents(charges.totalCents)}", style = MaterialTheme.typography.titleMedium)
                charges.lines.forEach { Text("• ${it.quantity}× ${it.description}: ${formatCents(it.totalCents)}") }
                OutlinedTextField(signer, { signer = it }, label = { Text("Customer name") }, singleLine = true, modifier = Modifier.fillMaxWidth())
                when (val approval = charges.approval) {
                    Approval.NotNeeded -> Text("Nothing to pay.")
                    is Approval.Approved -> Text("Approved by ${approval.by}.")
                    else -> Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        if (approval is Approval.Outdated) Text("Charges changed since approval.")
                        Button(enabled = signer.isNotBlank() && !ui.busy, onClick = { vm.act { decideQuote(it, true, signer) } }) { Text("Approves") }
                        OutlinedButton(enabled = signer.isNotBlank() && !ui.busy, onClick = { vm.act { decideQuote(it, false, signer) } }) { Text("Declines") }
                    }
                }

                Text("Sign here")
                SignaturePad(pad, drawn) { drawn++ }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    OutlinedButton(onClick = { pad.undo(); drawn++ }) { Text("Undo") }
                    OutlinedButton(onClick = { pad.clear(); drawn++ }) { Text("Clear") }
                    Button(
                        enabled = !ui.busy && signer.isNotBlank() && !pad.isEmpty,
                        onClick = { vm.act(onDone = onDone) { signOff(it, signer.trim(), pad.strokes) } },
                    ) { Text("Sign") }
                }
            }
        }
    }
}

/** Captures touches into [pad] (one stroke per finger-down..up) and draws them. */
@Composable
private fun SignaturePad(pad: StrokeRecorder, drawn: Int, onChange: () -> Unit) {
    Canvas(
        Modifier
            .fillMaxWidth()
            .height(220.dp)
            .background(Color.White)
            .pointerInput(pad) {
                awaitEachGesture {
                    val down = awaitFirstDown()
                    down.consume()
                    pad.begin(down.position.x, down.position.y, down.uptimeMillis)
                    onChange()
                    while (true) {
                        val change = awaitPointerEvent().changes.firstOrNull { it.id == down.id } ?: break
                        if (!change.pressed) break
                        change.consume()
                        pad.moveTo(change.position.x, change.position.y, change.uptimeMillis)
                        onChange()
                    }
                    pad.end()
                    onChange()
                }
            },
    ) {
        // Reading the counter makes this lambda change with it, so new points are drawn.
        if (drawn < 0) return@Canvas
        for (stroke in pad.strokes) {
            val points = stroke.points
            if (points.size == 1) {
                drawCircle(Color.Black, radius = 3.dp.toPx(), center = Offset(points[0].x, points[0].y))
                continue
            }
            val path = Path().apply {
                moveTo(points[0].x, points[0].y)
                points.drop(1).forEach { lineTo(it.x, it.y) }
            }
            drawPath(path, Color.Black, style = DrawStroke(width = 3.dp.toPx(), cap = StrokeCap.Round, join = StrokeJoin.Round))
        }
    }
}
