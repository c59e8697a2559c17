import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells when a file in a directory is written (closed after writing, or renamed into place, as
/// atomic writes do), through Linux's inotify on a thread of its own: the node learns of a new
/// `rakis chain bind` without polling. `stop()` wakes the thread through a pipe and ends `changes`.
final class FileChangeWatch: @unchecked Sendable {
    let changes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let inotify: Int32
    private let wake: (read: Int32, write: Int32)
    private let lock = NSLock()
    private var stopped = false

    /// nil when inotify is not available (the caller then learns of changes at the next start).
    init?(directory: URL, fileName: String) {
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        guard inotify_add_watch(fd, directory.path, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)) >= 0 else {
            close(fd)
            return nil
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(fd)
            return nil
        }
        inotify = fd
        wake = (pipeEnds[0], pipeEnds[1])
        (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let thread = Thread { [inotify, wake, continuation] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
                guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { break }
                if fds[1].revents != 0 { break }
                guard fds[0].revents != 0 else { continue }
                let count = read(inotify, &buffer, buffer.count)
                guard count > 0 else { break }
                // Events: struct inotify_event { wd, mask, cookie, len; name[len] }.
                var offset = 0
                while offset + 16 <= count {
                    let nameLength = Int(buffer[offset + 12]) | Int(buffer[offset + 13]) << 8 | Int(buffer[offset + 14]) << 16 | Int(buffer[offset + 15]) << 24
                    let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + nameLength)].prefix { $0 != 0 }
                    if String(decoding: nameBytes, as: UTF8.self) == fileName { continuation.yield() }
                    offset += 16 + nameLength
                }
            }
            continuation.finish()
            close(inotify)
            close(wake.read)
        }
        thread.name = "rakis-file-watch"
        thread.start()
    }

    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        close(wake.write)
    }

    deinit { stop() }
}
