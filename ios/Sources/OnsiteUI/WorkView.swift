import SwiftUI
import OnsiteKit

/// Diagnosis, measurements, checklist, parts and the function test. Inputs go to the core
/// as typed; an `Invalid` refusal lists every bad field.
struct WorkView: View {
    @ObservedObject var model: JobModel
    @State private var symptom = "", cause = "", codes = ""
    @State private var name = "", value = "", unit = ""
    @State private var removed = false, warranty = false
    @State private var partNumber = "", partName = "", quantity = "1", serial = "", price = ""
    @State private var testNotes = ""

    var body: some View {
        LoadableView(model.visit) { visit in
            Form {
                if let problem = model.problem { ProblemView(problem: problem) { model.problem = nil } }
                Section("Diagnosis") {
                    ForEach(visit.diagnoses, id: \.id) { Text("\($0.symptom) → \($0.cause) \($0.errorCodes.joined(separator: ", "))") }
                    TextField("Symptom", text: $symptom)
                    TextField("Cause", text: $cause)
                    TextField("Error codes (comma separated)", text: $codes)
                    Button("Add diagnosis") {
                        let errorCodes = codes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                        let (s, c) = (symptom, cause)
                        Task {
                            if await model.act({ try await $0.addDiagnosis($1, symptom: s, cause: c, errorCodes: errorCodes) }) {
                                symptom = ""; cause = ""; codes = ""
                            }
                        }
                    }
                }
                Section("Measurements") {
                    ForEach(visit.measurements, id: \.id) { Text("\($0.name): \($0.value) \($0.unit)") }
                    TextField("Name", text: $name)
                    TextField("Value", text: $value).keyboardType(.decimalPad)
                    TextField("Unit", text: $unit)
                    Button("Add measurement") {
                        guard let number = Double(value) else { return }
                        let (n, u) = (name, unit)
                        Task { if await model.act({ try await $0.addMeasurement($1, name: n, value: number, unit: u) }) { name = ""; value = ""; unit = "" } }
                    }
                    .disabled(Double(value) == nil)
                }
                Section("Checklist") {
                    ForEach(visit.checklist, id: \.item.key) { line in
                        Picker(line.item.label + (line.item.required ? " *" : ""), selection: Binding(
                            get: { line.result?.result },
                            set: { outcome in
                                guard let outcome else { return }
                                Task { await model.act { try await $0.recordChecklistResult($1, itemKey: line.item.key, result: outcome) } }
                            }
                        )) {
                            Text("–").tag(Outcome?.none)
                            Text("Pass").tag(Outcome?.some(.pass))
                            Text("Fail").tag(Outcome?.some(.fail))
                            Text("N/A").tag(Outcome?.some(.notApplicable))
                        }
                    }
                }
                Section("Parts · charges \(formatCents(visit.charges.totalCents))") {
                    ForEach(visit.parts, id: \.id) { part in
                        Text("\(part.direction == .removed ? "Removed" : "Installed") \(part.quantity)× \(part.partNumber) \(part.description) (\(formatCents(part.unitPriceCents)))")
                    }
                    Toggle("Removed (old part)", isOn: $removed)
                    Toggle("Under warranty", isOn: $warranty)
                    TextField("Part number", text: $partNumber)
                    TextField("Description", text: $partName)
                    TextField("Quantity", text: $quantity).keyboardType(.numberPad)
                    TextField(removed ? "Serial out" : "Serial in", text: $serial)
                    TextField("Unit price", text: $price).keyboardType(.decimalPad)
                    Button("Add part") {
                        let part = newPart()
                        Task { if await model.act({ try await $0.addPartLine($1, part: part) }) { partNumber = ""; partName = ""; quantity = "1"; serial = ""; price = "" } }
                    }
                }
                Section("Function test") {
                    if let test = visit.functionTest { Text("\(test.passed ? "Passed" : "Failed"): \(test.notes)") }
                    TextField("What was tested", text: $testNotes)
                    HStack {
                        Button("Passed") { record(passed: true) }
                        Button("Failed") { record(passed: false) }
                    }
                    .buttonStyle(.bordered)
                }
            }
            .disabled(model.busy)
        }
        .navigationTitle("Diagnosis & parts")
    }

    /// The form as the core's record. Money as cents ("89.5" -> 8950, exactly, via Decimal);
    /// unreadable numbers go as 0 / -1 so the core's validation names the field.
    private func newPart() -> NewPartLine {
        let cents = price.isEmpty ? 0 : Decimal(string: price).map { NSDecimalNumber(decimal: $0 * 100).int64Value } ?? -1
        let trimmedSerial = serial.trimmingCharacters(in: .whitespaces)
        return NewPartLine(
            direction: removed ? .removed : .installed,
            partNumber: partNumber.trimmingCharacters(in: .whitespaces),
            description: partName.trimmingCharacters(in: .whitespaces),
            quantity: Int64(quantity) ?? 0,
            serialIn: removed || trimmedSerial.isEmpty ? nil : trimmedSerial,
            serialOut: removed && !trimmedSerial.isEmpty ? trimmedSerial : nil,
            billing: warranty ? .warranty : .chargeable,
            unitPriceCents: cents
        )
    }

    private func record(passed: Bool) {
        let notes = testNotes
        Task { await model.act { try await $0.recordFunctionTest($1, passed: passed, notes: notes) } }
    }
}
