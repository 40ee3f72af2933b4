#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream that arrives in chunks into lines (without `\n`).
///
/// Lines that lie within one chunk are handed out in place, without copying; only a line
/// that spans chunks is assembled in a buffer. A line longer than ``maxLineLength`` is cut
/// there (the rest of it is dropped and counted), which bounds memory on hostile input.
public struct LineSplitter {
    /// The longest line kept whole, in bytes.
    public var maxLineLength: Int
    /// How many lines were cut at ``maxLineLength``.
    public private(set) var truncatedLines = 0

    private var carry: [UInt8] = []
    private var carryTruncated = false

    public init(maxLineLength: Int = 8 << 20) {
        self.maxLineLength = maxLineLength
    }

    /// Feeds a chunk; `emit` is called for each line completed by it.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard let raw = chunk.baseAddress, chunk.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = base + chunk.count
        var start = base
        while start < end {
            guard let found = memchr(start, 0x0A, end - start) else {
                append(start, end - start)
                return
            }
            let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
            if carry.isEmpty && !carryTruncated {
                let length = min(newline - start, maxLineLength)
                if newline - start > maxLineLength { truncatedLines += 1 }
                try emit(UnsafeBufferPointer(start: start, count: length))
            } else {
                append(start, newline - start)
                try carry.withUnsafeBufferPointer { try emit($0) }
                carry.removeAll(keepingCapacity: carry.capacity <= 1 << 20)
                carryTruncated = false
            }
            start = newline + 1
        }
    }

    /// Ends the stream: emits the last line if it had no `\n`.
    public mutating func finish(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        if !carry.isEmpty || carryTruncated {
            try carry.withUnsafeBufferPointer { try emit($0) }
        }
        carry = []
        carryTruncated = false
    }

    private mutating func append(_ pointer: UnsafePointer<UInt8>, _ count: Int) {
        let room = maxLineLength - carry.count
        if count > room {
            if !carryTruncated { truncatedLines += 1 }
            carryTruncated = true
            if room > 0 { carry.append(contentsOf: UnsafeBufferPointer(start: pointer, count: room)) }
        } else {
            carry.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count))
        }
    }
}
