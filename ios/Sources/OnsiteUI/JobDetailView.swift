import SwiftUI
import OnsiteKit

/// The job: customer, site, appliance, fault, history; status changes; completion.
struct JobDetailView: View {
    @StateObject private var model: JobModel

    init(onsite: Onsite, jobId: String) {
        _model = StateObject(wrappedValue: JobModel(onsite: onsite, jobId: jobId))
    }

    var body: some View {
        LoadableView(model.detail) { job in
            List {
                if let problem = model.problem {
                    ProblemView(problem: problem) { model.problem = nil }
                }
                Section("Customer") {
                    Text(job.customer.name).font(.headline)
                    if let phone = job.customer.phone { Text(phone) }
                    Text(job.site.address)
                    if !job.site.accessNotes.isEmpty { Text("Access: \(job.site.accessNotes)") }
                }
                Section("Appliance and fault") {
                    if let asset = job.asset { Text("\(asset.brand) \(asset.model) (\(asset.category)) · serial \(asset.serial)") }
                    Text("Coverage: \(job.coverage.label)")
                    Text("Fault: \(job.workOrder.fault.symptom)" + (job.workOrder.fault.errorCode.map { " · code \($0)" } ?? ""))
                    ForEach(job.history, id: \.workOrderId) { visit in
                        Text("\(visit.number): \(visit.symptom)" + visit.diagnoses.map { " → \($0.cause)" }.joined())
                    }
                }
                Section("Status: \(job.workOrder.status.label)") {
                    // The core says which moves are legal; completion goes through complete().
                    ForEach(job.nextStatuses.filter { $0 != .completed }, id: \.self) { next in
                        Button(next.label) { Task { await model.act { try await $0.setStatus($1, to: next) } } }
                    }
                }
                if job.workOrder.status == .onSite {
                    Section("Visit") {
                        NavigationLink("Diagnosis & parts") { WorkView(model: model) }
                        NavigationLink("Customer sign-off") { SignOffView(model: model) }
                        ForEach(model.missing, id: \.text) { Text("• \($0.text)").foregroundStyle(.secondary) }
                        Button("Complete job") { Task { await model.act { try await $0.complete($1) } } }
                            .disabled(model.busy || !model.missing.isEmpty)
                    }
                }
            }
            .disabled(model.busy)
        }
        .navigationTitle(model.detail.value?.workOrder.number ?? "Job")
        .task { await model.refresh() }
    }
}
