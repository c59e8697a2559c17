import Synchronization

/// The job ids a DVM subscription follows, at most `capacity` (the oldest dropped first).
final class FollowedJobs: Sendable {
    private let jobs = Mutex<[String]>([])
    private let capacity: Int

    init(capacity: Int = 256) { self.capacity = capacity }

    /// Adds or removes a job; the new list when it changed, nil otherwise.
    func set(_ jobId: String, _ on: Bool) -> [String]? {
        jobs.withLock { jobs in
            if on {
                guard !jobs.contains(jobId) else { return nil }
                jobs.append(jobId)
                if jobs.count > capacity { jobs.removeFirst(jobs.count - capacity) }
            } else {
                guard let index = jobs.firstIndex(of: jobId) else { return nil }
                jobs.remove(at: index)
            }
            return jobs
        }
    }
}
