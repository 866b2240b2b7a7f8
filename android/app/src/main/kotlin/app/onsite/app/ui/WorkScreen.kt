package app.onsite.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import app.onsite.app.vm.JobViewModel
import app.onsite.app.vm.OnsiteViewModels
import app.onsite.core.facade.formatCents
import app.onsite.core.Billing
import app.onsite.core.NewPartLine
import app.onsite.core.Outcome
import app.onsite.core.PartDirection

/**
 * Diagnosis, measurements, checklist, parts and the function test of the visit. Inputs are
 * sent as typed; the core validates them and an `Invalid` refusal lists every bad field.
 */
@Composable
fun WorkScreen(onBack: () -> Unit) {
    val vm: JobViewModel = viewModel(factory = OnsiteViewModels)
    val ui by vm.ui.collectAsStateWithLifecycle()
    OnsiteScaffold("Diagnosis & parts", onBack = onBack) { padding ->
        LoadableContent(ui.visit, Modifier.padding(padding)) { visit ->
            Column(Modifier.fillMaxSize().padding(padding).padding(16.dp).verticalScroll(rememberScrollState())) {
                ui.problem?.let { ProblemBanner(it, onDismiss = vm::dismissProblem) }

                Section("Diagnosis")
                visit.diagnoses.forEach { Text("• ${it.symptom} → ${it.cause} ${it.errorCodes.joinToString()}") }
                var symptom by rememberSaveable { mutableStateOf("") }
                var cause by rememberSaveable { mutableStateOf("") }
                var codes by rememberSaveable { mutableStateOf("") }
                Field("Symptom", symptom) { symptom = it }
                Field("Cause", cause) { cause = it }
                Field("Error codes (comma separated)", codes) { codes = it }
                Button(enabled = !ui.busy, onClick = {
                    val errorCodes = codes.split(',').map { it.trim() }.filter { it.isNotEmpty() }
                    vm.act(onDone = { symptom = ""; cause = ""; codes = "" }) { addDiagnosis(it, symptom, cause, errorCodes) }
                }) { Text("Add diagnosis") }

                Section("Measurements")
                visit.measurements.forEach { Text("• ${it.name}: ${it.value} ${it.unit}") }
                var name by rememberSaveable { mutableStateOf("") }
                var value by rememberSaveable { mutableStateOf("") }
                var unit by rememberSaveable { mutableStateOf("") }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    Field("Name", name, Modifier.weight(2f)) { name = it }
                    Field("Value", value, Modifier.weight(1f), KeyboardType.Decimal) { value = it }
                    Field("Unit", unit, Modifier.weight(1f)) { unit = it }
                }
                Button(enabled = !ui.busy && value.toDoubleOrNull() != null, onClick = {
                    vm.act(onDone = { name = ""; value = ""; unit = "" }) { addMeasurement(it, name, value.toDouble(), unit) }
                }) { Text("Add measurement") }

                Section("Checklist")
                visit.checklist.forEach { line ->
                    Text(line.item.label + if (line.item.required) " *" else "")
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Outcome.entries.forEach { outcome ->
                            FilterChip(
                                selected = line.result?.result == outcome,
                                onClick = { vm.act { recordChecklistResult(it, line.item.key, outcome) } },
                                label = { Text(outcome.name.lowercase().replace('_', ' ')) },
                            )
                        }
                    }
                }

                Section("Parts")
                visit.parts.forEach {
                    val serial = listOfNotNull(it.serialIn?.let { s -> "in $s" }, it.serialOut?.let { s -> "out $s" }).joinToString()
                    Text("• ${it.direction.name.lowercase()} ${it.quantity}× ${it.partNumber} ${it.description} $serial " +
                        "(${it.billing.name.lowercase()}, ${formatCents(it.unitPriceCents)})")
                }
                PartForm(busy = ui.busy) { part, clear -> vm.act(onDone = clear) { addPartLine(it, part) } }
                Text("Charges: ${formatCents(visit.charges.totalCents)}", style = MaterialTheme.typography.titleSmall)

                Section("Function test")
                visit.functionTest?.let { Text(if (it.passed) "Passed: ${it.notes}" else "Failed: ${it.notes}") }
                var notes by rememberSaveable { mutableStateOf("") }
                Field("What was tested", notes) { notes = it }
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    Button(enabled = !ui.busy, onClick = { vm.act { recordFunctionTest(it, true, notes) } }) { Text("Passed") }
                    OutlinedButton(enabled = !ui.busy, onClick = { vm.act { recordFunctionTest(it, false, notes) } }) { Text("Failed") }
                }
            }
        }
    }
}

/** A part installed or removed; [onAdd] gets the part and a function that clears the form. */
@Composable
private fun PartForm(busy: Boolean, onAdd: (NewPartLine, clear: () -> Unit) -> Unit) {
    var removed by rememberSaveable { mutableStateOf(false) }
    var warranty by rememberSaveable { mutableStateOf(false) }
    var number by rememberSaveable { mutableStateOf("") }
    var description by rememberSaveable { mutableStateOf("") }
    var quantity by rememberSaveable { mutableStateOf("1") }
    var serial by rememberSaveable { mutableStateOf("") }
    var price by rememberSaveable { mutableStateOf("") }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        FilterChip(selected = !removed, onClick = { removed = false }, label = { Text("Installed") })
        FilterChip(selected = removed, onClick = { removed = true }, label = { Text("Removed") })
        FilterChip(selected = warranty, onClick = { warranty = !warranty }, label = { Text("Warranty") })
    }
    Field("Part number", number) { number = it }
    Field("Description", description) { description = it }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Field("Qty", quantity, Modifier.weight(1f), KeyboardType.Number) { quantity = it }
        Field(if (removed) "Serial out" else "Serial in", serial, Modifier.weight(2f)) { serial = it }
        Field("Unit price", price, Modifier.weight(1f), KeyboardType.Decimal) { price = it }
    }
    Button(enabled = !busy, onClick = {
        // Money crosses the FFI as cents; "89.5" becomes 8950. Bad numbers go to the core as
        // 0 / -1 so its validation names the field instead of the form failing silently.
        val cents = price.ifBlank { "0" }.toBigDecimalOrNull()?.movePointRight(2)?.toLong() ?: -1
        val part = NewPartLine(
            direction = if (removed) PartDirection.REMOVED else PartDirection.INSTALLED,
            partNumber = number.trim(),
            description = description.trim(),
            quantity = quantity.toLongOrNull() ?: 0,
            serialIn = serial.trim().takeIf { !removed && it.isNotEmpty() },
            serialOut = serial.trim().takeIf { removed && it.isNotEmpty() },
            billing = if (warranty) Billing.WARRANTY else Billing.CHARGEABLE,
            unitPriceCents = cents,
        )
        onAdd(part) { number = ""; description = ""; quantity = "1"; serial = ""; price = "" }
    }) { Text("Add part") }
}

@Composable
private fun Section(title: String) {
    HorizontalDivider(Modifier.padding(vertical = 12.dp))
    Text(title, style = MaterialTheme.typography.titleMedium)
}

@Composable
private fun Field(
    label: String,
    value: String,
    modifier: Modifier = Modifier.fillMaxWidth(),
    keyboard: KeyboardType = KeyboardType.Text,
    onChange: (String) -> Unit,
) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = keyboard),
        modifier = modifier,
    )
}
