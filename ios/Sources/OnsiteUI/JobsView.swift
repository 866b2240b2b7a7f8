import SwiftUI
import OnsiteKit

/// The root: today's jobs; a job opens its detail, the toolbar opens sync.
public struct JobsView: View {
    @StateObject private var model: JobsModel
    private let onsite: Onsite

    public init(onsite: Onsite) {
        self.onsite = onsite
        _model = StateObject(wrappedValue: JobsModel(onsite: onsite))
    }

    public var body: some View {
        NavigationStack {
            LoadableView(model.jobs) { jobs in
                List(jobs, id: \.id) { job in
                    NavigationLink(value: job.id) { JobRow(job: job) }
                }
                .overlay { if jobs.isEmpty { Text("No jobs today.") } }
            }
            .navigationTitle("Today")
            .navigationDestination(for: String.self) { JobDetailView(onsite: onsite, jobId: $0) }
            .toolbar { NavigationLink("Sync") { SyncView(onsite: onsite) } }
            .refreshable { await model.refresh() }
            .task { await model.refresh() }
        }
    }
}

private struct JobRow: View {
    let job: JobSummary

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            let (start, end) = (job.windowStart, job.windowEnd)
            Text("\(start.formatted(date: .omitted, time: .shortened))–\(end.formatted(date: .omitted, time: .shortened)) · \(job.number) · \(job.status.label)")
                .font(.caption)
            Text(job.customerName).font(.headline)
            Text(job.address)
            Text([job.asset, job.symptom, job.errorCode].compactMap { $0 }.joined(separator: " · "))
                .foregroundStyle(.secondary)
        }
    }
}

/// Draws a `Loadable`: a spinner, the problem, or the content.
struct LoadableView<T, Content: View>: View {
    let value: Loadable<T>
    let content: (T) -> Content

    init(_ value: Loadable<T>, @ViewBuilder content: @escaping (T) -> Content) {
        self.value = value
        self.content = content
    }

    var body: some View {
        switch value {
        case .loading: ProgressView()
        case let .failed(problem): ProblemView(problem: problem)
        case let .ready(value): content(value)
        }
    }
}

/// A refusal from the core: its sentence, the field problems or the missing items.
struct ProblemView: View {
    let problem: Problem
    var onDismiss: (() -> Void)?

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(problem.message).bold()
            ForEach(problem.fields.sorted(by: { $0.key < $1.key }), id: \.key) { Text("• \($0.key): \($0.value)") }
            ForEach(problem.missing, id: \.self) { Text("• \($0)") }
            if problem.action == .retryLater { Text("Your work is saved on this phone and will be sent later.") }
            if let onDismiss { Button("OK", action: onDismiss) }
        }
        .padding()
        .background(Color.red.opacity(0.12), in: RoundedRectangle(cornerRadius: 8))
    }
}
