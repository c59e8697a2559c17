import Foundation

/// A process and every process under it, found through /proc: how the benchmark and the tests
/// stop a relay, whose gunicorn workers outlive their parent when only it is killed.
package enum ProcessTree {
    /// SIGKILL to `pid` and all its descendants, the deepest first.
    package static func kill(_ pid: Int32) {
        for child in descendants(of: pid) { Glibc.kill(child, SIGKILL) }
        Glibc.kill(pid, SIGKILL)
    }

    package static func descendants(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [Int32] = []
        for entry in entries {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            // The fields after the command name: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { children.append(child) }
        }
        return children.flatMap { descendants(of: $0) + [$0] }
    }
}
