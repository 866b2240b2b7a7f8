import SwiftUI
import OnsiteKit

/// The customer approves the charges (if any) and signs on the glass. The strokes go to the
/// core as drawn; it renders the PNG and binds the signature to the report's SHA-256.
struct SignOffView: View {
    @ObservedObject var model: JobModel
    @Environment(\.dismiss) private var dismiss
    @State private var signer = ""
    @State private var pad = StrokeRecorder()
    @State private var drawing = false

    var body: some View {
        LoadableView(model.visit) { visit in
            Form {
                if let problem = model.problem { ProblemView(problem: problem) { model.problem = nil } }
                Section("Charges \(formatCents(visit.charges.totalCents))") {
                    ForEach(visit.charges.lines, id: \.lineId) { Text("\($0.quantity)× \($0.description): \(formatCents($0.totalCents))") }
                    TextField("Customer name", text: $signer)
                    approval(visit.charges.approval)
                }
                Section("Sign here") {
                    SignaturePad(pad: $pad, drawing: $drawing).frame(height: 220)
                    HStack {
                        Button("Undo") { pad.undo() }
                        Button("Clear") { pad.clear() }
                        Spacer()
                        Button("Sign") {
                            let (name, strokes) = (signer.trimmingCharacters(in: .whitespaces), pad.strokes)
                            Task { if await model.act({ try await $0.signOff($1, signerName: name, strokes: strokes) }) { dismiss() } }
                        }
                        .disabled(pad.isEmpty || signer.isEmpty || model.busy)
                    }
                    .buttonStyle(.bordered)
                }
            }
        }
        .navigationTitle("Customer sign-off")
    }

    @ViewBuilder
    private func approval(_ approval: Approval) -> some View {
        switch approval {
        case .notNeeded: Text("Nothing to pay.")
        case let .approved(by): Text("Approved by \(by).")
        case .pending, .declined, .outdated:
            if case .outdated = approval { Text("The charges changed since they were approved.") }
            HStack {
                Button("Approves") { decide(true) }
                Button("Declines") { decide(false) }
            }
            .buttonStyle(.bordered)
            .disabled(signer.isEmpty || model.busy)
        }
    }

    private func decide(_ approved: Bool) {
        let name = signer
        Task { await model.act { try await $0.decideQuote($1, approved: approved, signerName: name) } }
    }
}

/// Captures one stroke per finger-down..up into `pad` and draws all of them.
private struct SignaturePad: View {
    @Binding var pad: StrokeRecorder
    @Binding var drawing: Bool

    var body: some View {
        Canvas { context, _ in
            for stroke in pad.strokes {
                guard let first = stroke.points.first else { continue }
                if stroke.points.count == 1 {
                    context.fill(Path(ellipseIn: CGRect(x: CGFloat(first.x) - 2, y: CGFloat(first.y) - 2, width: 4, height: 4)), with: .color(.black))
                    continue
                }
                var path = Path()
                path.move(to: CGPoint(x: CGFloat(first.x), y: CGFloat(first.y)))
                for point in stroke.points.dropFirst() { path.addLine(to: CGPoint(x: CGFloat(point.x), y: CGFloat(point.y))) }
                context.stroke(path, with: .color(.black), style: StrokeStyle(lineWidth: 3, lineCap: .round, lineJoin: .round))
            }
        }
        .background(Color.white)
        .contentShape(Rectangle())
        // minimumDistance 0: a tap is a dot, and the stroke starts where the finger lands.
        .gesture(DragGesture(minimumDistance: 0, coordinateSpace: .local)
            .onChanged { value in
                let now = ProcessInfo.processInfo.systemUptime
                if !drawing {
                    drawing = true
                    pad.begin(x: Float(value.startLocation.x), y: Float(value.startLocation.y), time: now)
                }
                pad.move(x: Float(value.location.x), y: Float(value.location.y), time: now)
            }
            .onEnded { _ in
                pad.end()
                drawing = false
            })
    }
}
