import ArgumentParser
import Foundation
import RakisCore
import RakisP2P

/// The mesh with every node in a process of its own (`rakis-bench mesh-node`), each pinned to a
/// core of its own when the machine has one per node, as nodes on machines of their own would
/// be: what a node does per packet then costs its own core only, whatever N is. The same
/// measurements as the in-process mesh, timed with CLOCK_MONOTONIC across the processes.
struct MeshProcessNetwork {
    let nodes: Int
    let latencyPackets: Int
    let burst: Int

    func measure() async throws {
        let sender = NodeIdentity.generate()
        let envelopes = try TransportBenchmark.envelopes(latencyPackets + burst, by: sender)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-mesh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let packetFile = folder.appendingPathComponent("packets").path
        try MeshPacketFile.write(envelopes, to: packetFile)

        let cpus = CoreAssignment.cpus(for: nodes)
        var children: [NodeProcess] = []
        defer { for child in children { child.stop() } }
        children = try start(sender: sender, packetFile: packetFile, cpus: cpus)
        for child in children { _ = try await child.expect("ready") }

        let framesAtStart = try await frames(children)
        let latencies = try await timeOneAtATime(children)
        let framesBeforeBurst = try await frames(children)
        let burst = try await timeBurst(children, cpus: cpus)
        // Announcements still gathering when the last packet arrived go out within announceDelay.
        try await Task.sleep(for: .milliseconds(200))
        let framesAtEnd = try await frames(children)
        for child in children { try? child.command("quit") }

        let burstRate = Double(self.burst) / burst.seconds
        let pinning = cpus.map { "CPUs " + $0.map(String.init).joined(separator: ",") } ?? "unpinned: fewer cores than nodes"
        print("  " + "mesh, processes".padding(toLength: 15, withPad: " ", startingAt: 0) + String(
            format: " %5d   %11.2f ms   %8.2f ms   %12.0f   %12.0f   %6.1f, %6.1f", nodes,
            latencies[latencies.count / 2] * 1000, latencies[Int(Double(latencies.count - 1) * 0.95)] * 1000,
            burstRate, burstRate * Double(nodes - 1), Double(framesBeforeBurst - framesAtStart) / Double(latencyPackets),
            Double(framesAtEnd - framesBeforeBurst) / Double(self.burst)) + "   (\(pinning); \(burst.detail))")
    }

    /// The node processes, the first the sender (it signs with `sender`'s key), each on its CPU.
    private func start(sender: NodeIdentity, packetFile: String, cpus: [Int]?) throws -> [NodeProcess] {
        let ports = try (0..<nodes).map { _ in try LoopbackPort.free() }
        return try (0..<nodes).map { index in
            var arguments = ["mesh-node", "--port", "\(ports[index])", "--nodes", "\(nodes)", "--packets", packetFile,
                             "--latency-packets", "\(latencyPackets)"]
            arguments += index == 0 ? ["--seed", Hex.encode(sender.seed)] : ["--bootstrap", "ws://127.0.0.1:\(ports[0])"]
            return try NodeProcess(arguments: arguments, cpu: cpus?[index])
        }
    }

    /// Each packet timed alone, from its broadcast until the last node has it; sorted, in seconds.
    private func timeOneAtATime(_ children: [NodeProcess]) async throws -> [Double] {
        var latencies: [Double] = []
        for i in 0..<latencyPackets {
            try children[0].command("send \(i)")
            let start = try await children[0].expect("sent \(i)")
            var last = start
            for child in children.dropFirst() { last = max(last, try await child.expect("got \(i)")) }
            latencies.append(Double(last - start) / 1e9)
        }
        return latencies.sorted()
    }

    /// The burst: seconds until the last node had every packet, and how busy each side was.
    private func timeBurst(_ children: [NodeProcess], cpus: [Int]?) async throws -> (seconds: Double, detail: String) {
        let cpuBefore = try await ask(children, "cpu")
        let coresBefore = CoreTimes.read()
        try children[0].command("burst \(latencyPackets) \(latencyPackets + burst)")
        let start = try await children[0].expect("burst-sent")
        let queued = try await children[0].expect("burst-queued")
        var last = start, firstArrival = UInt64.max
        for child in children.dropFirst() {
            let (first, done) = try await child.expectPair("burst-done")
            (last, firstArrival) = (max(last, done), min(firstArrival, first))
        }
        let coresAfter = CoreTimes.read()
        // Each node's share of its core over the burst: which side sets the pace. The process's
        // own time leaves out the kernel's work for it outside its system calls (on loopback, the
        // receiving half of TCP runs on the sending CPU), which the CPUs' own counters include.
        let busy = zip(try await ask(children, "cpu"), cpuBefore).map { Double($0 - $1) / Double(last - start) }
        let coreBusy = cpus.map { $0.map { CoreTimes.busyShare(of: $0, from: coresBefore, to: coresAfter) } }
        let detail = String(format: "CPU in the burst: sender %.0f%%, busiest receiver %.0f%%", busy[0] * 100, (busy.dropFirst().max() ?? 0) * 100)
            + (coreBusy.map { String(format: "; their CPUs, kernel included: %.0f%%, %.0f%%", $0[0] * 100, ($0.dropFirst().max() ?? 0) * 100) } ?? "")
            + String(format: "; queued in %.0f ms, first arrival after %.1f ms", Double(queued - start) / 1e6, Double(firstArrival - start) / 1e6)
        return (Double(last - start) / 1e9, detail)
    }

    /// Each node's answer to `command` (`cpu`: CPU time used so far, in nanoseconds; `frames`:
    /// frames queued so far), in the nodes' order.
    private func ask(_ children: [NodeProcess], _ command: String) async throws -> [UInt64] {
        var answers: [UInt64] = []
        for child in children {
            try child.command(command)
            answers.append(try await child.expect(command))
        }
        return answers
    }

    /// Frames every node queued so far.
    private func frames(_ children: [NodeProcess]) async throws -> Int {
        Int(try await ask(children, "frames").reduce(0, +))
    }
}

/// The CPUs to pin the nodes to, one each: first one CPU of every physical core this process may
/// use, then their other hardware threads; nil when there are fewer CPUs than nodes.
enum CoreAssignment {
    static func cpus(for nodes: Int) -> [Int]? {
        let allowed = allowedCPUs()
        guard allowed.count >= nodes else { return nil }
        var seenCores = Set<String>()
        var first: [Int] = [], siblings: [Int] = []
        for cpu in allowed {
            let topology = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            let core = [topology + "physical_package_id", topology + "core_id"]
                .map { (try? String(contentsOfFile: $0, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "cpu\(cpu)" }
                .joined(separator: "/")
            if seenCores.insert(core).inserted { first.append(cpu) } else { siblings.append(cpu) }
        }
        return Array((first + siblings).prefix(nodes))
    }

    /// `Cpus_allowed_list` of /proc/self/status, expanded ("0-3,8" is 0, 1, 2, 3, 8).
    static func allowedCPUs() -> [Int] {
        let fallback = Array(0..<ProcessInfo.processInfo.activeProcessorCount)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return fallback }
        var cpus: [Int] = []
        for part in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { cpus.append(bounds[0]) } else if bounds.count == 2, bounds[0] <= bounds[1] { cpus += bounds[0]...bounds[1] }
        }
        return cpus.isEmpty ? fallback : cpus
    }
}

/// One `rakis-bench mesh-node` process: commands to its standard input, its replies read back
/// line by line on a thread of their own. A reply that takes over two minutes kills it.
final class NodeProcess {
    private let process = Process()
    private let input = Pipe()
    private var lines: AsyncStream<String>.Iterator
    private var lastLine = ""

    init(arguments: [String], cpu: Int?) throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if let cpu {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["-c", "\(cpu)", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        lines = stream.makeAsyncIterator()
        let reader = output.fileHandleForReading
        Thread {
            var pending = Data()
            while case let chunk = reader.availableData, !chunk.isEmpty {
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            continuation.finish()
        }.start()
        try process.run()
    }

    func command(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Reads replies up to the one that starts with `prefix`; the number that ends it (0 if none).
    func expect(_ prefix: String) async throws -> UInt64 {
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        while let line = await lines.next() {
            if line.hasPrefix("error") { throw ValidationError("mesh node: \(line)") }
            if line == prefix || line.hasPrefix(prefix + " ") {
                lastLine = line
                return line.split(separator: " ").last.flatMap { UInt64($0) } ?? 0
            }
        }
        throw ValidationError("a mesh node ended (or gave no reply in 2 minutes) while the benchmark waited for `\(prefix)`")
    }

    /// The two numbers that end the reply starting with `prefix`.
    func expectPair(_ prefix: String) async throws -> (UInt64, UInt64) {
        let second = try await expect(prefix)
        guard let first = lastLine.split(separator: " ").dropLast().last.flatMap({ UInt64($0) }) else {
            throw ValidationError("mesh node: `\(lastLine)` should end in two numbers")
        }
        return (first, second)
    }

    /// Ends the process: standard input closes, then SIGKILL if it is still there after a second.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(1)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// The CPUs' own time counters (/proc/stat, in clock ticks): busy (user, system, interrupts,
/// softirqs, steal) and in all.
enum CoreTimes {
    static func read() -> [Int: (busy: Int, total: Int)] {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return [:] }
        var times: [Int: (busy: Int, total: Int)] = [:]
        for line in stat.split(separator: "\n") where line.hasPrefix("cpu") && !line.hasPrefix("cpu ") {
            let fields = line.split(separator: " ")
            guard let cpu = Int(fields[0].dropFirst(3)) else { continue }
            let ticks = fields.dropFirst().prefix(8).compactMap { Int($0) }
            guard ticks.count == 8 else { continue }
            let idle = ticks[3] + ticks[4]
            times[cpu] = (ticks.reduce(0, +) - idle, ticks.reduce(0, +))
        }
        return times
    }

    /// How busy `cpu` was between two readings, 0 to 1.
    static func busyShare(of cpu: Int, from before: [Int: (busy: Int, total: Int)], to after: [Int: (busy: Int, total: Int)]) -> Double {
        guard let a = before[cpu], let b = after[cpu], b.total > a.total else { return 0 }
        return Double(b.busy - a.busy) / Double(b.total - a.total)
    }
}
