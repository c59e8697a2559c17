import Foundation
import Hummingbird

/// `/` (the dashboard), its scripts and styles, and `/openapi.json`: files bundled with the
/// module, read once at start-up. Nothing comes from a CDN.
struct DashboardRoutes: Sendable {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    let assets: [String: Asset]

    init() throws {
        var assets: [String: Asset] = [:]
        func load(_ route: String, _ name: String, _ ext: String, subdirectory: String?, _ type: String) throws {
            guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: subdirectory) else {
                throw ServerError.missingResource("\(subdirectory.map { $0 + "/" } ?? "")\(name).\(ext)")
            }
            assets[route] = Asset(bytes: ByteBuffer(bytes: try Data(contentsOf: url)), contentType: type)
        }
        try load("/", "index", "html", subdirectory: "dashboard", "text/html; charset=utf-8")
        try load("/dashboard.js", "dashboard", "js", subdirectory: "dashboard", "text/javascript; charset=utf-8")
        try load("/dashboard.css", "dashboard", "css", subdirectory: "dashboard", "text/css; charset=utf-8")
        try load("/openapi.json", "openapi", "json", subdirectory: nil, "application/json; charset=utf-8")
        self.assets = assets
    }

    func add(to router: Router<APIRequestContext>) {
        for (path, asset) in assets {
            router.get(RouterPath(path)) { _, _ in
                Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: asset.bytes))
            }
        }
    }
}
