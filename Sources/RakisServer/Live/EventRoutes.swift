import Foundation
import Hummingbird
import RakisNode
import ServiceLifecycle

/// `GET /api/events`: server-sent events for the dashboard and `rakis submit --wait` — `packet`
/// for every packet stored, `quorum` when a request's quorum changes status, `log` for every log
/// line, and `tick` every two seconds (the dashboard refreshes its tables on it). The stream ends when the client goes away or the server shuts down.
struct EventRoutes: Sendable {
    let node: RakisNode
    let logs: LogBuffer

    static func frame(_ name: String, _ value: some Encodable) -> String {
        let data = (try? APIRequestContext.encoder().encode(value)) ?? Data("{}".utf8)
        return "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("events") { _, _ -> Response in
            let packets = node.packetFeed()
            let quorums = node.quorumUpdates()
            let lines = logs.live.subscribe()
            let body = ResponseBody { writer in
                // A slow client loses the oldest events rather than holding memory without bound.
                let (events, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(2000))
                // Inherits the graceful-shutdown signal, so that a stopping server ends the stream.
                let producers = Task {
                    await cancelWhenGracefulShutdown {
                        await withTaskGroup(of: Void.self) { group in
                            group.addTask { for await packet in packets { sink.yield(Self.frame("packet", NetworkRoutes.view(packet))) } }
                            group.addTask { for await update in quorums { sink.yield(Self.frame("quorum", QuorumUpdateView(update))) } }
                            group.addTask { for await line in lines { sink.yield(Self.frame("log", line)) } }
                            group.addTask {
                                while !Task.isCancelled {
                                    sink.yield("event: tick\ndata: {}\n\n")
                                    try? await Task.sleep(for: .seconds(2))
                                }
                            }
                            // The first to end (the node stopped) ends them all.
                            await group.next()
                            group.cancelAll()
                        }
                    }
                    sink.finish()
                }
                defer { producers.cancel() }
                // Ends when the producers finish, or with an error when the client has gone away.
                for await text in events { try await writer.write(ByteBuffer(string: text)) }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }
}
