import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore
import StewardTestSupport
import Testing

/// What operators run the hub with: Prometheus metrics on their own address, read by Prometheus's
/// own parser, and request ids on every response.
@Suite(.serialized)
struct OperationsEndToEndTests {
    /// Parses the exposition with `prometheus_client` and prints `name type` per family and
    /// `sample name{labels} value` per sample.
    static let parser = """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            print("family", family.name, family.type)
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                print("sample", sample.name + "{" + labels + "}", sample.value)
        """

    static func parse(_ text: String) throws -> ProgramRun {
        try ProgramRun(["python3", "-c", parser], input: Data(text.utf8))
    }

    @Test(
        "GET /metrics on --metrics-listen: Prometheus's parser reads it; requests, jobs, dispatch latency, polls and agents are there, all steward_"
    )
    func metrics() async throws {
        try await JobsEndToEndTests.withFleet(.sqlite, hubArguments: ["--metrics-listen", "127.0.0.1:0"]) {
            api, serverID, directory, hub, _ in
            let job = try await api.install("probe", server: serverID, inputs: ["marker": .text(directory.path + "/m")])
            _ = try await api.waitForJob(job.id) { $0.status.isFinal }
            _ = try await api.request(.GET, "/api/v1/jobs/nope")
            let range = try #require(hub.output.range(of: #"metrics\.address=127\.0\.0\.1:\d+"#, options: .regularExpression))
            let port = try #require(Int(hub.output[range].split(separator: ":").last ?? ""))
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
            let parsed = try Self.parse(text)
            #expect(parsed.status == 0, "\(parsed.output)")
            let families = parsed.output.split(separator: "\n").filter { $0.hasPrefix("family ") }.map { $0.split(separator: " ")[1] }
            #expect(!families.isEmpty && families.allSatisfy { $0.hasPrefix("steward_") }, "\(families)")
            for name in [
                "steward_http_requests", "steward_http_request_duration_seconds", "steward_jobs", "steward_job_queue_depth",
                "steward_job_dispatch_latency_seconds", "steward_long_polls", "steward_agents_online", "steward_job_log_bytes",
                "steward_sweeper_duration_seconds", "steward_sse_clients", "steward_db_pool_wait_seconds",
            ] {
                #expect(families.contains(Substring(name)), "no \(name) in \(families)")
            }
            let samples = parsed.output.split(separator: "\n").filter { $0.hasPrefix("sample ") }
            #expect(samples.contains { $0.hasPrefix("sample steward_jobs{status=succeeded} 1") }, "\(samples)")
            #expect(samples.contains { $0.hasPrefix("sample steward_agents_online{} 1") })
            #expect(samples.contains { $0.contains("route=/api/v1/jobs/{id}") && $0.contains("status=404") }, "ids never become labels")
            #expect(samples.contains { $0.hasPrefix("sample steward_job_dispatch_latency_seconds_count{} ") && !$0.hasSuffix(" 0.0") })
            #expect(samples.contains { $0.hasPrefix("sample steward_db_pool_wait_seconds_count{} ") && !$0.hasSuffix(" 0.0") })
            #expect(!text.contains("nope"))
        }
    }

    @Test("every response has an X-Request-Id, also in problem JSON; a trusted proxy's plain id is kept, another client's is not")
    func requestIDs() async throws {
        try await JobsEndToEndTests.withFleet(.sqlite, hubArguments: ["--trusted-proxy", "127.0.0.1/32"]) { api, _, _, _, _ in
            func get(_ path: String, id: String?) async throws -> (status: HTTPResponseStatus, id: String?, body: String) {
                var request = HTTPClientRequest(url: api.baseURL + path)
                request.headers.add(name: "Authorization", value: "Bearer \(api.token)")
                if let id { request.headers.add(name: "X-Request-Id", value: id) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                return (response.status, response.headers.first(name: "X-Request-Id"), body)
            }
            let plain = try await get("/api/v1/servers", id: nil)
            #expect(plain.status == .ok && (plain.id?.isEmpty == false))
            let forwarded = try await get("/api/v1/jobs/nope", id: "edge-4f2a.77")
            #expect(forwarded.status == .notFound && forwarded.id == "edge-4f2a.77")
            #expect(forwarded.body.contains(#""request_id":"edge-4f2a.77""#), "\(forwarded.body)")
            let hostile = try await get("/api/v1/servers", id: "x\"; drop")
            #expect(hostile.id != nil && hostile.id != "x\"; drop")
            #expect(try await get("/nowhere", id: nil).id != nil)
        }
        try await JobsEndToEndTests.withFleet(.sqlite) { api, _, _, _, _ in
            var request = HTTPClientRequest(url: api.baseURL + "/api/v1/health")
            request.headers.add(name: "X-Request-Id", value: "from-anyone")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.headers.first(name: "X-Request-Id").map { $0 != "from-anyone" && !$0.isEmpty } == true)
        }
    }
}
