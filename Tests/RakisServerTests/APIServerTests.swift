import Foundation
import RakisCoordination
import RakisCore
@testable import RakisNode
import RakisP2P
import RakisServer
import RakisTestSupport
import Testing

/// Every endpoint of the API, driven over real HTTP against a live node, and every bad input
/// the issue names: each gets a JSON error with the right status, and nothing stored is lost.
@Suite(.serialized) struct APIServerTests {
    // The window leaves room for a loaded machine to infer and commit in time; it is no speed check.
    /// A 20-s window: under the whole suite on this machine's kind, a 10-s one once closed before
    /// the node had embedded its answer (8 tokens at 2 a second), and the request failed.
    static var submission: [String: Any] { ["prompt": "Name a colour.", "maxTokens": 8, "securityFrame": ["quorum": 1, "maxTimeMs": 20000]] }

    @Test func readEndpointsAnswerWithTheirDocumentedShapes() async throws {
        let server = try await LiveServer()
        let health = try await server.get("/api/health")
        #expect(health.status == 200)
        #expect(health.json?["status"] as? String == "ok", "a node without models is ready at once")
        #expect(health.json?["synthientId"] as? String == server.node.identity.synthientId)
        // A first start heard nothing before it: the gap has an end and no beginning (known once
        // the node's start has brought its transports up, which the health answer does not wait for).
        try await server.node.waitUntilStarted()
        let started = try await server.get("/api/health")
        let gap = try #require(started.json?["lastListeningGap"] as? [String: Any], "\(started.json ?? [:])")
        #expect(gap["from"] == nil && gap["until"] is String)

        let stats = try #require(try await server.get("/api/stats").json)
        #expect(stats["synthientId"] as? String == server.node.identity.synthientId)
        #expect(stats["totalPackets"] as? Int == 1, "the boot status packet")
        #expect(stats["packetsTransmitted"] as? Int == 1)

        let packets = try await server.get("/api/packets?type=peerStatusUpdate&limit=5")
        let list = try #require(packets.json?["packets"] as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["type"] as? String == "peerStatusUpdate")
        #expect(list.first?["own"] as? Bool == true)
        #expect(try await server.get("/api/packets?type=inferenceCommit").json?["packets"] as? [Any] != nil)

        #expect((try await server.get("/api/peers").json?["peers"] as? [Any])?.isEmpty == true)
        let workers = try #require(try await server.get("/api/workers").json)
        #expect((workers["llm"] as? [Any])?.isEmpty == true)
        #expect((try await server.get("/api/inferences").json?["inferences"] as? [Any])?.isEmpty == true)
        let logs = try #require(try await server.get("/api/logs?limit=50").json?["logs"] as? [[String: Any]])
        #expect(logs.contains { ($0["message"] as? String)?.contains("node started") == true }, "\(logs)")

        let document = try #require(try await server.get("/openapi.json").json)
        #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
        let paths = try #require(document["paths"] as? [String: Any])
        for path in ["/api/inferences", "/api/inferences/{requestId}", "/api/peers", "/api/packets", "/api/stats", "/api/health",
                     "/api/workers", "/api/workers/{kind}/{model}", "/api/logs", "/api/events", "/metrics"] {
            #expect(paths[path] != nil, "\(path) is documented")
        }
        // The document's enumerations are the code's.
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        func enumeration(_ schema: String, _ property: String) -> Set<String> {
            let properties = (schemas[schema] as? [String: Any])?["properties"] as? [String: Any]
            return Set(((properties?[property] as? [String: Any])?["enum"] as? [String]) ?? [])
        }
        #expect(enumeration("InferenceSummary", "status") == Set(QuorumStatus.allCases.map(\.rawValue) + ["open", "unanswered"]))
        #expect(enumeration("InferenceDetail", "status") == enumeration("InferenceSummary", "status"))
        let packetTypes = (((paths["/api/packets"] as? [String: Any])?["get"] as? [String: Any])?["parameters"] as? [[String: Any]])?
            .first { $0["name"] as? String == "type" }.flatMap { ($0["schema"] as? [String: Any])?["enum"] as? [String] }
        #expect(Set(packetTypes ?? []) == Set(PacketType.allCases.map(\.rawValue)))

        let dashboard = try await server.get("/")
        #expect(dashboard.status == 200 && dashboard.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(dashboard.text.contains("<script src=\"/dashboard.js\">"))
        #expect(try await server.get("/dashboard.js").text.contains("EventSource(\"/api/events\")"))
        #expect(try await server.get("/dashboard.css").status == 200)
        try await server.stop()
    }

    @Test func submittingNeedsTheTokenAndTheRequestCanBeFollowed() async throws {
        let server = try await LiveServer(models: try LiveServer.defaults())
        let missing = try await HTTPExchange.send("POST", server.base + "/api/inferences", body: HTTPExchange.json(Self.submission))
        #expect(missing.status == 401)
        #expect(missing.errorMessage?.contains("Authorization: Bearer") == true)
        let wrong = try await server.post("/api/inferences", Self.submission, token: "not-the-token")
        #expect(wrong.status == 401)
        #expect(wrong.errorMessage?.contains("wrong bearer token") == true)
        #expect(try await server.get("/api/inferences").json?["inferences"] as? [Any] != nil)
        #expect((try await server.get("/api/inferences").json?["inferences"] as? [Any])?.isEmpty == true, "refused requests are not sent")

        let accepted = try await server.post("/api/inferences", Self.submission)
        #expect(accepted.status == 202, "\(accepted.text)")
        let requestId = try #require(accepted.json?["requestId"] as? String)
        #expect(accepted.headers["location"] == "/api/inferences/\(requestId)")
        let listed = try #require(try await server.get("/api/inferences?limit=10").json?["inferences"] as? [[String: Any]])
        #expect(listed.map { $0["requestId"] as? String } == [requestId])

        // One node, quorum 1: it infers, commits, reveals to itself and reaches consensus.
        var detail: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(120)
        repeat {
            try await Task.sleep(for: .milliseconds(250))
            detail = try #require(try await server.get("/api/inferences/\(requestId)").json)
        } while detail["consensus"] == nil && detail["status"] as? String != "failed" && ContinuousClock.now < deadline
        let logs = server.logs.recent(limit: 60).map { "\($0.label) \($0.message) \($0.metadata)" }.joined(separator: "\n")
        let consensus = try #require(detail["consensus"] as? [String: Any], "\(detail)\n\(logs)")
        #expect(consensus["succeeded"] as? Bool == true)
        #expect((detail["commits"] as? [Any])?.count == 1)
        #expect((detail["reveals"] as? [Any])?.count == 1)
        #expect((consensus["distances"] as? [[Int]]) == [[0]])
        let ownOutput = ((detail["ownResults"] as? [[String: Any]])?.first?["output"] as? String)
        #expect(ownOutput != nil && consensus["selectedOutput"] as? String == ownOutput)
        let map = try #require(detail["embeddingMap"] as? [[String: Any]])
        #expect(map.count == 1 && map[0]["valid"] as? Bool == true && map[0]["selected"] as? Bool == true)
        #expect((detail["request"] as? [String: Any])?["quorum"] as? Int == 1)

        let stats = try #require(try await server.get("/api/stats").json)
        #expect(stats["ownInferences"] as? Int == 1)
        #expect(stats["consensusSucceeded"] as? Int == 1)
        let metrics = try await server.get("/metrics")
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        for line in ["rakis_packets_total{direction=\"out\",type=\"p2pInferenceRequest\",transport=\"all\"} 1",
                     "rakis_inferences_total{model=\"gemma-3-270m-q4_k_m\"} 1", "rakis_consensus_outcomes{outcome=\"succeeded\"} 1.0",
                     "rakis_llm_workers{model=\"gemma-3-270m-q4_k_m\",state=\"idle\"} 1.0", "rakis_embedding_queue_length 0.0"] {
            #expect(metrics.text.contains(line), "\(line)\n\(metrics.text)")
        }
        #expect(metrics.text.contains("rakis_tokens_total "))
        #expect(metrics.text.contains("rakis_inference_tokens_per_second_count{model=\"gemma-3-270m-q4_k_m\"} 1"))
        try await server.stop()
    }

    @Test func badInputGetsAJSONErrorWithTheRightStatusAndLosesNothing() async throws {
        let server = try await LiveServer(models: try LiveServer.defaults())
        let kept = try #require(try await server.post("/api/inferences", Self.submission).json?["requestId"] as? String)
        let packetsBefore = try #require(try await server.get("/api/stats").json?["totalPackets"] as? Int)

        func submit(_ changes: [String: Any], frame: [String: Any] = [:]) async throws -> HTTPExchange {
            var body = Self.submission
            for (key, value) in changes { body[key] = value }
            var securityFrame = body["securityFrame"] as? [String: Any] ?? [:]
            for (key, value) in frame { securityFrame[key] = value }
            body["securityFrame"] = securityFrame
            return try await server.post("/api/inferences", body)
        }
        let cases: [(HTTPExchange, Int, String)] = [
            (try await submit([:], frame: ["quorum": 0]), 422, "quorum must be 1 to 100"),
            (try await submit([:], frame: ["secPercentage": 0]), 422, "secPercentage must be in (0, 1]"),
            (try await submit([:], frame: ["secPercentage": 1.5]), 422, "secPercentage must be in (0, 1]"),
            (try await submit([:], frame: ["committeeShare": 0]), 422, "committeeShare must be in (0, 1]"),
            (try await submit(["acceptedModels": ["no-such-model"]]), 422, "unknown model no-such-model"),
            (try await submit([:], frame: ["embeddingModel": "no-such-embedder"]), 422, "unknown embedding model"),
            (try await submit(["prompt": "   "]), 422, "prompt is empty"),
            // Counted as the API document's maxLength counts: 👍🏻 is two code points (one Swift Character).
            (try await submit(["prompt": "👍🏻" + String(repeating: "*", count: 15_999)]), 422, "prompt has 16001 characters; at most 16000"),
            (try await submit(["maxTokens": 0]), 422, "maxTokens must be 1 to 4096"),
            (try await submit(["temperature": -1]), 422, "temperature must be 0 to 2"),
            (try await submit(["prompt": 7]), 400, "prompt has the wrong type"),
            (try await submit([:], frame: ["quorum": 1.5]), 400, "malformed JSON body"),
            (try await HTTPExchange.send("POST", server.base + "/api/inferences", body: Data("{\"prompt\":".utf8), token: server.token), 400, "JSON"),
            (try await HTTPExchange.send("POST", server.base + "/api/inferences", body: Data("{}".utf8), token: server.token), 400, "missing field prompt"),
            (try await HTTPExchange.send(
                "POST", server.base + "/api/inferences", body: Data(("{\"prompt\":\"" + String(repeating: "a", count: 300_000) + "\"}").utf8),
                token: server.token), 413, "larger than 256 KiB"),
            (try await server.get("/api/inferences/00000000-0000-0000-0000-000000000000"), 404, "no request"),
            (try await server.get("/api/no-such-route"), 404, "no such route"),
            (try await HTTPExchange.send("DELETE", server.base + "/api/inferences"), 405, "DELETE is not allowed"),
            (try await HTTPExchange.send("POST", server.base + "/api/stats"), 405, "use GET"),
            (try await server.get("/api/inferences?limit=0"), 400, "limit must be an integer from 1 to 500"),
            (try await server.get("/api/packets?limit=abc"), 400, "limit must be an integer"),
            (try await server.get("/api/packets?type=nonsense"), 400, "unknown packet type"),
            (try await server.get("/api/logs?level=loud"), 400, "unknown log level"),
        ]
        for (response, status, message) in cases {
            #expect(response.status == status, "\(message): \(response.status) \(response.text)")
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true, "\(message)")
            #expect(response.json?["error"] != nil, "\(message): \(response.text)")
            #expect(response.errorMessage?.contains(message) == true, "\(message): \(response.text)")
            #expect((response.json?["error"] as? [String: Any])?["status"] as? Int == status)
        }
        #expect(try await HTTPExchange.send("DELETE", server.base + "/api/stats").headers["allow"] == "GET")

        // Nothing was lost, and nothing the refusals carried was sent.
        #expect(try await server.get("/api/inferences/\(kept)").status == 200)
        let listed = try #require(try await server.get("/api/inferences").json?["inferences"] as? [[String: Any]])
        #expect(listed.map { $0["requestId"] as? String } == [kept])
        let packetsAfter = try #require(try await server.get("/api/stats").json?["totalPackets"] as? Int)
        #expect(packetsAfter >= packetsBefore)
        #expect(try await server.get("/api/health").status == 200)
        try await server.stop()
    }

    @Test func workersScaleThroughTheAPIAndReportTheirState() async throws {
        let server = try await LiveServer(models: try LiveServer.embeddingOnly())
        let model = "all-MiniLM-L6-v2@recipe2"
        let path = "/api/workers/embedding/\(model)"
        let unauthorized = try await HTTPExchange.send("PUT", server.base + path, body: HTTPExchange.json(["count": 2]))
        #expect(unauthorized.status == 401)
        let scaled = try await HTTPExchange.send("PUT", server.base + path, body: HTTPExchange.json(["count": 2]), token: server.token)
        #expect(scaled.status == 200, "\(scaled.text)")
        #expect(await eventually {
            let workers = (try? await server.get("/api/workers").json?["embedding"] as? [[String: Any]]) ?? []
            return workers.count == 2 && workers.allSatisfy { $0["state"] as? String == "idle" && $0["progress"] as? Double == 1 }
        })
        let metrics = try await server.get("/metrics").text
        #expect(metrics.contains("rakis_embedding_workers{model=\"all-MiniLM-L6-v2@recipe2\",state=\"idle\"} 2.0"), "\(metrics)")

        for (kind, name, body, status) in [
            ("embedding", model, ["count": 17], 422), ("embedding", model, ["count": -1], 422), ("llm", "no-such-llm", ["count": 1], 404),
            ("embedding", "no-such-model", ["count": 1], 404), ("gpu", model, ["count": 1], 404),
        ] as [(String, String, [String: Int], Int)] {
            let response = try await HTTPExchange.send(
                "PUT", server.base + "/api/workers/\(kind)/\(name)", body: HTTPExchange.json(body), token: server.token)
            #expect(response.status == status, "\(kind)/\(name) \(body): \(response.text)")
            #expect(response.errorMessage != nil)
        }
        let down = try await HTTPExchange.send("PUT", server.base + path, body: HTTPExchange.json(["count": 1]), token: server.token)
        #expect(down.status == 200)
        #expect(await eventually {
            ((try? await server.get("/api/workers").json?["embedding"] as? [Any]) ?? []).count == 1
        })
        try await server.stop()
    }

    @Test func theEventStreamCarriesPacketsAndLogsAsTheyHappen() async throws {
        let server = try await LiveServer(models: try LiveServer.defaults())
        let reader = Task {
            try await ServerSentEvents.read(server.base + "/api/events", until: {
                $0.contains("\"type\":\"p2pInferenceRequest\"") && $0.contains("\"message\":\"inference request\"")
            })
        }
        try await Task.sleep(for: .milliseconds(300))
        let accepted = try await server.post("/api/inferences", Self.submission)
        #expect(accepted.status == 202)
        let text = try await reader.value
        #expect(text.contains("event: tick"))
        #expect(text.contains("\"type\":\"p2pInferenceRequest\""), "\(text)")
        #expect(text.contains("event: log\ndata: {") && text.contains("\"message\":\"inference request\""), "the node's log line for it")
        // The stream ends when the server shuts down, so that shutdown is never held up by it.
        let open = Task { try await ServerSentEvents.read(server.base + "/api/events", until: { _ in false }) }
        try await Task.sleep(for: .milliseconds(300))
        try await server.stop()
        _ = try? await open.value
    }

    @Test func aModelIsKnownOnceAPeerAnnouncesIt() async throws {
        // Node A serves no model; B, on the same network, serves the default LLM. A's API refuses
        // requests for a model nobody announced, and takes them once B's workers are announced.
        let network = InMemoryNetwork()
        let a = try await LiveServer(transports: [network.makeTransport()])
        let request: [String: Any] = ["prompt": "Name a colour.", "acceptedModels": ["gemma-3-270m-q4_k_m"]]
        let before = try await a.post("/api/inferences", request)
        #expect(before.status == 422)
        #expect(before.errorMessage?.contains("unknown model gemma-3-270m-q4_k_m") == true, "\(before.text)")

        let b = try await LiveServer(models: try LiveServer.defaults(), transports: [network.makeTransport()])
        #expect(await eventually {
            let packets = (try? await a.get("/api/packets?type=peerStatusUpdate").json?["packets"] as? [[String: Any]]) ?? []
            return packets.contains { $0["synthientId"] as? String == b.node.identity.synthientId && ($0["packet"] as? String)?.contains("loaded_worker") == true }
        }, "A hears B's loaded_worker status")
        let after = try await a.post("/api/inferences", request)
        #expect(after.status == 202, "\(after.text)")
        let peers = try #require(try await a.get("/api/peers").json?["peers"] as? [[String: Any]])
        #expect(peers.contains { $0["synthientId"] as? String == b.node.identity.synthientId && $0["seenOn"] as? [String] == ["memory"] })
        try await b.stop()
        try await a.stop()
    }
}
