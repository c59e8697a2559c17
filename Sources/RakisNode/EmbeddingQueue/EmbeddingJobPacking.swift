/// How waiting queue items go to free workers, as a pure function of their order. With at least
/// as many free workers as items, each item is a job of its own (the fastest answer for each).
/// With more items than workers, each worker takes the next items in order, an equal share, up
/// to `maxTexts` texts: the model runs a job's texts in one forward pass, so a packed job reads
/// the weights once for all of them.
enum EmbeddingJobPacking {
    static let maxTexts = 32

    /// Jobs as indices into the waiting items, highest priority first; items in no job wait.
    static func jobs(textsPerItem: [Int], freeWorkers: Int, maxTexts: Int = maxTexts) -> [[Int]] {
        guard freeWorkers > 0, !textsPerItem.isEmpty else { return [] }
        guard textsPerItem.count > freeWorkers else { return textsPerItem.indices.map { [$0] } }
        let share = (textsPerItem.count + freeWorkers - 1) / freeWorkers
        var jobs: [[Int]] = []
        var next = 0
        while jobs.count < freeWorkers, next < textsPerItem.count {
            var job = [next]
            var texts = textsPerItem[next]
            next += 1
            while job.count < share, next < textsPerItem.count, texts + textsPerItem[next] <= maxTexts {
                texts += textsPerItem[next]
                job.append(next)
                next += 1
            }
            jobs.append(job)
        }
        return jobs
    }
}
