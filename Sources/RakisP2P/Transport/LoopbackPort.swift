#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A TCP port on 127.0.0.1 that nothing listens on right now: for local meshes (the devnet,
/// benchmarks, tests) whose nodes must know each other's ports before any of them starts.
/// Another process may take the port before it is used; callers on a shared machine accept that.
/// Within this process a port is handed out once: the kernel may offer a port again as soon as
/// the probe closes, and two callers at once (parallel tests) would otherwise share it.
public enum LoopbackPort {
    private static let handedOut = Mutex(Set<Int>())

    public static func free() throws(TransportError) -> Int {
        for _ in 0..<64 {
            let port = try probe()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw .unavailable(transport: "mesh", reason: "no port on 127.0.0.1 is free that this process has not used already")
    }

    private static func probe() throws(TransportError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .unavailable(transport: "mesh", reason: "cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard bound == 0, named == 0 else { throw .unavailable(transport: "mesh", reason: "cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
