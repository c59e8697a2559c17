import Foundation
import RakisTestSupport
import Testing

/// Three `rakis run --dvm` nodes behind a stock `nostr-relay`, and a third-party NIP-90 customer
/// (Tests/Fixtures/dvm-customer.py, on pynostr) that publishes kind 5050 jobs and reads the
/// feedback and results. `RAKIS_DVM_JOBS=20` also measures publish → result over that many jobs.
@Suite(.serialized) struct DVMTests {
    /// Commit windows of 8 s and quorums of two, as the chaos test uses on this machine.
    static let jobParams = ["--param", "quorum", "2", "--param", "max_time_ms", "8000", "--param", "max_tokens", "12", "--param", "temperature", "0"]

    @Test func aNostrCustomerGetsOneConsensusVerifiedResultAndBadJobsGetErrors() async throws {
        let network = try await ThreeNodeRelayNetwork(extra: ["--dvm", "--set", "dvmReplyBackoffMs=1500"])
        do {
            try await Self.exercise(network)
        } catch {
            Issue.record("\(error)\n\(network.saveLogs("dvm").joined(separator: "\n"))")
        }
        await network.stop()
    }

    static func exercise(_ network: ThreeNodeRelayNetwork) async throws {
        let relay = NostrRelayFixture.url(network.relay)
        // The customer also wants the answer on a relay of its own, which no node reads.
        let customersRelay = try await NostrRelayFixture.startStock()
        defer { customersRelay.stop() }
        let answer = try await customer(
            ["job", relay, "90", "Name a colour."] + jobParams + ["--tag", "relays", NostrRelayFixture.url(customersRelay), "--linger", "4"])
        let job = try #require(answer.job)
        let results = answer.events.filter { $0.kind == 6050 }
        #expect(results.count == 1, "exactly one result: \(answer.events)")
        #expect(answer.statuses == ["processing", "success"], "one processing and one success feedback: \(answer.events)")
        let result = try #require(results.first)
        #expect(result.tag("e") == job && result.tag("p") == answer.customer && result.tag("i") == "Name a colour.")
        #expect(result.tag("request")?.contains(job) == true)
        #expect(result.tag("rakis_quorum") == "2")

        // Each node announced itself (NIP-89) as a text-generation provider with its models.
        let providers = try await customer(["providers", relay]).events
        #expect(Set(providers.map(\.id)).count == 3 && providers.allSatisfy { $0.tag("d") == "rakis-" + network.topic }, "\(providers)")
        #expect(providers.allSatisfy { $0.content.contains("\"models\":[\"gemma-3-270m-q4_k_m\"]") }, "\(providers.map(\.content))")

        let there = try await customer(["events", NostrRelayFixture.url(customersRelay), job, "2"])
        #expect(there.events.filter { $0.kind == 6050 }.map(\.id) == [result.id], "the result is on the job's relays too: \(there.events)")

        // The consensus tags are what every node's API says of the request.
        let requestId = "dvm:" + job
        #expect(result.tag("rakis_request_id") == requestId)
        for index in 0..<3 {
            let detail = try #require(try await network.detail(index, requestId), "node \(index) knows the job's request")
            let consensus = try #require(detail["consensus"] as? [String: Any], "node \(index) computed consensus")
            #expect(consensus["selectedOutput"] as? String == result.content)
            #expect(consensus["validInferenceJointHash"] as? String == result.tag("rakis_joint_hash"))
            let valid = (consensus["valid"] as? [[String: Any]] ?? []).compactMap { $0["synthientId"] as? String }
            #expect(Set(valid) == Set(result.values("rakis_member")))
            let jobs = try await dvmJobs(network, index)
            let seen = try #require(jobs.first { $0["jobId"] as? String == job }, "node \(index) lists the job")
            #expect(seen["status"] as? String == "success" && seen["resultEventId"] as? String == result.id)
            #expect(seen["customer"] as? String == answer.customer)
        }

        // A person opening node 0's dashboard finds the job, and its request a click away.
        let python = LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path
        let browser = try await runToEnd(python, [
            LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/dashboard-dvm.py").path, network.nodes[0].base + "/",
            try RakisProcess.token(network.nodes[0].dataDir), job, try #require(answer.customer), result.id,
        ])
        #expect(browser.status == 0, "the dashboard shows the job: \(browser.stdout)\(browser.stderr.suffix(2000))")

        try await aReplayedJobRunsOnceAndARefusedOneMakesNoRequest(network, relay: relay, job: job)
        try await badJobsGetOneErrorEach(network, relay: relay)
        try await theNextInRankStepsInWhenTheFirstStaysSilent(network, relay: relay)
        try await measure(network, relay: relay)
    }

    /// The same job delivered again (the relay replays what it holds to a restarted node's
    /// subscription) runs and is answered no second time; a job for a model no node serves gets
    /// one error feedback and makes no request anywhere.
    static func aReplayedJobRunsOnceAndARefusedOneMakesNoRequest(_ network: ThreeNodeRelayNetwork, relay: String, job: String) async throws {
        _ = network.kill(1)
        try await network.restart(1)
        let requests = try await network.stats(1)["requestsSeen"] as? Int
        let after = try await customer(["events", relay, job, "4"])
        #expect(after.events.filter { $0.kind == 6050 }.count == 1 && after.statuses.sorted() == ["processing", "success"], "\(after.events)")
        let restartedJobs = try await dvmJobs(network, 1)
        #expect(restartedJobs.filter { $0["jobId"] as? String == job }.map { $0["status"] as? String } == ["success"])

        let unknown = try await customer(["job", relay, "6", "Name a planet.", "--param", "model", "no-such-model", "--linger", "3.5"])
        #expect(unknown.statuses == ["error"], "one error feedback for an unknown model: \(unknown.events)")
        #expect(unknown.events.first?.statusReason?.contains("no-such-model") == true)
        #expect(try await network.stats(1)["requestsSeen"] as? Int == requests, "neither a replayed nor a refused job makes a request")
    }

    /// A job without input, with absurd parameters, or encrypted gets one `error` feedback; one
    /// addressed to another provider gets nothing.
    static func badJobsGetOneErrorEach(_ network: ThreeNodeRelayNetwork, relay: String) async throws {
        async let noInput = customer(["job", relay, "6", "", "--linger", "3.5"])
        async let absurd = customer(["job", relay, "6", "Name a fish.", "--param", "max_tokens", "100000", "--linger", "3.5"])
        async let encrypted = customer(["job", relay, "6", "Name a tree.", "--tag", "encrypted", "", "--linger", "3.5"])
        let otherProvider = String(repeating: "ab", count: 32)
        async let elsewhere = customer(["job", relay, "5", "Name a bird.", "--tag", "p", otherProvider], allowFailure: true)
        for (name, answer, reason) in [("no input", try await noInput, "no text input"), ("absurd", try await absurd, "max_tokens"),
                                       ("encrypted", try await encrypted, "encrypted")] {
            #expect(answer.statuses == ["error"], "\(name): \(answer.events)")
            #expect(answer.events.first?.statusReason?.contains(reason) == true, "\(name): \(answer.events)")
            #expect(answer.events.filter { $0.kind == 6050 }.isEmpty)
        }
        let ignored = try await elsewhere
        #expect(ignored.events.isEmpty, "a job for another provider is left alone: \(ignored.events)")
        let jobs = try await dvmJobs(network, 0)
        #expect(!jobs.contains { $0["jobId"] as? String == ignored.job })
    }

    /// Node 0 restarts without `--dvm`, and a job is chosen that ranks it first to answer: it
    /// stays silent, and the next in rank sends the `processing` feedback after its wait, alone.
    static func theNextInRankStepsInWhenTheFirstStaysSilent(_ network: ThreeNodeRelayNetwork, relay: String) async throws {
        network.extraFor[0] = ["--set", "dvmReplyBackoffMs=1500"]
        _ = network.kill(0)
        try await network.restart(0)
        var ids: [String] = []
        for index in 0..<3 { ids.append(try #require(try await network.stats(index)["synthientId"] as? String)) }
        var dvmKeys: [String] = []
        for index in 1..<3 { dvmKeys.append(try #require(try await HTTPExchange.send("GET", network.nodes[index].base + "/api/dvm/jobs").json?["pubkey"] as? String)) }
        let answer = try await customer(
            ["job", relay, "60", "Name a colour."] + jobParams + ["--first", ids[0], "--among", ids.joined(separator: ","), "--linger", "4"])
        let processing = answer.events.filter { $0.kind == 7000 && $0.status == "processing" }
        #expect(processing.count == 1, "one processing feedback, from the second in rank: \(answer.events)")
        #expect(processing.allSatisfy { dvmKeys.contains($0.pubkey) })
        #expect(answer.events.filter { $0.kind == 6050 }.count == 1, "\(answer.events)")
    }

    /// Publish → kind 6050 at the customer over `RAKIS_DVM_JOBS` jobs one after another (none by default).
    static func measure(_ network: ThreeNodeRelayNetwork, relay: String) async throws {
        let count = Int(ProcessInfo.processInfo.environment["RAKIS_DVM_JOBS"] ?? "") ?? 0
        guard count > 0 else { return }
        let run = try await customer(["jobs", relay, String(count), String(count * 60), "Name a colour."] + jobParams)
        print("dvm: \(run.lines.last ?? "") (request lifetime max_time_ms=8000, quorum 2, three nodes on one stock nostr-relay)")
    }

    static func dvmJobs(_ network: ThreeNodeRelayNetwork, _ index: Int) async throws -> [[String: Any]] {
        let answer = try await HTTPExchange.send("GET", network.nodes[index].base + "/api/dvm/jobs")
        #expect(answer.json?["pubkey"] is String, "a --dvm node names its key: \(answer.text)")
        return answer.json?["jobs"] as? [[String: Any]] ?? []
    }

    struct Event {
        let id: String
        let pubkey: String
        let kind: Int
        let content: String
        let tags: [[String]]

        func tag(_ name: String) -> String? { tags.first { $0.count > 1 && $0[0] == name }?[1] }
        func values(_ name: String) -> [String] { tags.filter { $0.count > 1 && $0[0] == name }.map { $0[1] } }
        var status: String? { tag("status") }
        var statusReason: String? { tags.first { $0.first == "status" && $0.count > 2 }?[2] }
    }

    struct Answer {
        var lines: [String] = []
        var job: String?
        var customer: String?
        var events: [Event] = []
        /// The feedback statuses, in the order they arrived.
        var statuses: [String] { events.compactMap { $0.kind == 7000 ? $0.status : nil } }
    }

    /// Runs the customer script; with `allowFailure`, its exit for "nothing arrived" is an answer too.
    static func customer(_ arguments: [String], allowFailure: Bool = false) async throws -> Answer {
        let python = LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path
        let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/dvm-customer.py").path
        let result = try await runToEnd(python, [script] + arguments)
        guard result.status == 0 || allowFailure else {
            throw FixtureMissing("dvm-customer.py \(arguments.prefix(4).joined(separator: " ")) failed (\(result.status)): \(result.stderr)\n\(result.stdout)")
        }
        var answer = Answer()
        for line in result.stdout.split(separator: "\n") {
            answer.lines.append(String(line))
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let job = object["job"] as? String {
                answer.job = job
                answer.customer = object["customer"] as? String
            } else if let id = object["id"] as? String, let kind = object["kind"] as? Int {
                answer.events.append(Event(id: id, pubkey: object["pubkey"] as? String ?? "", kind: kind, content: object["content"] as? String ?? "", tags: object["tags"] as? [[String]] ?? []))
            }
        }
        return answer
    }
}
