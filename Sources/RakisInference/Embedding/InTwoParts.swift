import CRakisKernels

/// Runs `body(0)` on the calling thread and `body(1)` on the kernels' helper thread at once
/// (`rakis_run_in_two`), returning when both are done. A forward pass splits dozens of layer
/// parts in a row; the helper stays awake between them, where a thread pool's worker would be
/// woken for every one.
func inTwoParts(_ body: @Sendable (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        var body = body
        withUnsafeMutablePointer(to: &body) { pointer in
            rakis_run_in_two({ context, part in
                context!.assumingMemoryBound(to: (@Sendable (Int) -> Void).self).pointee(Int(part))
            }, pointer)
        }
    }
}
