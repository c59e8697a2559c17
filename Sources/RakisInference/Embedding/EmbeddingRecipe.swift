/// The version of the numeric recipe (docs/embedding-recipe.md) by which this node computes
/// embeddings. Nodes on different versions compute different bits from the same text and would
/// refuse each other's reveals, so the version travels in the embedding model's name on the
/// network — announced in status packets and named in each request's `securityFrame` — as
/// `MODEL@recipeN`. A name without the suffix is recipe 1, what nodes before version 2 announced.
public enum EmbeddingRecipe {
    public static let version = 2

    /// The network name of `model` (a model directory's name) computed by this recipe.
    public static func networkName(of model: String) -> String { "\(model)@recipe\(version)" }

    /// The model and recipe version a network name stands for.
    public static func parse(_ name: String) -> (model: String, recipe: Int) {
        guard let marker = name.range(of: "@recipe", options: .backwards),
              let recipe = Int(name[marker.upperBound...]), recipe > 0
        else { return (name, 1) }
        return (String(name[..<marker.lowerBound]), recipe)
    }

    /// Why a node computing `names` cannot embed for `requested` because it computes the same
    /// model by another recipe; nil when it computes `requested` itself or no such model.
    public static func otherRecipe(requested: String, among names: some Collection<String>) -> String? {
        guard !names.contains(requested) else { return nil }
        let asked = parse(requested)
        guard let same = names.first(where: { parse($0).model == asked.model }) else { return nil }
        return "\(requested.debugDescription) is embedding recipe \(asked.recipe) but \(same.debugDescription) is recipe \(parse(same).recipe); nodes on different recipes compute different bits"
    }

    /// Why this node, which computes `served`, cannot embed for a request naming `requested`:
    /// nil when it serves it.
    public static func mismatch(requested: String, served: some Collection<String>) -> String? {
        if served.contains(requested) { return nil }
        if let other = otherRecipe(requested: requested, among: served) { return "this node cannot take part: \(other)" }
        return "this node serves no embedding model \(requested.debugDescription) (it serves \(served.sorted().joined(separator: ", ")))"
    }
}
