import Foundation
import OpenAPIKit

/// The decoder behind ``SchemaReader``: every container it hands out answers with placeholders
/// (empty strings, zeros, one element per array) and writes down what it was asked.
final class ShapeRecorder: Decoder {
    /// An object's properties in the order they were decoded, or, for a string-keyed dictionary,
    /// the shape of its values.
    final class Properties {
        var list: [(name: String, shape: Shape, required: Bool)] = []
        var additional: Shape?

        func add(_ name: String, _ shape: Shape, required: Bool) {
            if name == ShapeRecorder.anyKey {
                additional = shape
            } else if !list.contains(where: { $0.name == name }) {
                list.append((name, shape, required))
            }
        }
    }

    /// The key a dictionary's `allKeys` is given, standing for all of them.
    static let anyKey = "\u{1}any"

    let depth: Int
    var shape: Shape = .unknown
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(depth: Int) {
        self.depth = depth
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let properties: Properties
        if case .object(let existing) = shape {
            properties = existing
        } else {
            properties = Properties()
            shape = .object(properties)
        }
        return KeyedDecodingContainer(Keyed<Key>(recorder: self, properties: properties))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        Unkeyed(recorder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        Single(recorder: self)
    }

    /// A placeholder of `T`, and its shape.
    func read<T: Decodable>(_ type: T.Type) throws -> (shape: Shape, value: T) {
        if T.self == String.self || T.self == Bool.self || T.self is any BinaryFloatingPoint.Type || T.self is any BinaryInteger.Type {
            return Self.primitive(T.self)
        }
        return try SchemaReader.read(T.self, depth: depth)
    }

    /// The shape and placeholder of a standard library string, Boolean or number.
    static func primitive<T>(_ type: T.Type) -> (shape: Shape, value: T) {
        if T.self == String.self { return (.string(.generic), "" as! T) }
        if T.self == Bool.self { return (.boolean, false as! T) }
        if T.self == Double.self { return (.number, 0.0 as! T) }
        if T.self == Float.self { return (.number, Float(0) as! T) }
        return (.integer, (T.self as! any BinaryInteger.Type).init(0) as! T)
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: ShapeRecorder
        let properties: Properties
        var codingPath: [any CodingKey] { recorder.codingPath }
        var allKeys: [Key] { Key(stringValue: ShapeRecorder.anyKey).map { [$0] } ?? [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let (shape, value) = try recorder.read(type)
            properties.add(key.stringValue, shape, required: true)
            return value
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let (shape, value) = try? recorder.read(type) else {
                properties.add(key.stringValue, .unknown, required: false)
                return nil
            }
            properties.add(key.stringValue, shape, required: false)
            return value
        }

        func decode(_ type: String.Type, forKey key: Key) throws -> String { required(type, key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { required(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { required(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { required(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { required(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { required(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { required(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { required(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { required(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { required(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { required(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { required(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { required(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { required(type, key) }

        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { optional(type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { optional(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { optional(type, key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { optional(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { optional(type, key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { optional(type, key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { optional(type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { optional(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { optional(type, key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { optional(type, key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { optional(type, key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { optional(type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { optional(type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { optional(type, key) }

        private func required<T>(_ type: T.Type, _ key: Key) -> T {
            let (shape, value) = ShapeRecorder.primitive(T.self)
            properties.add(key.stringValue, shape, required: true)
            return value
        }

        private func optional<T>(_ type: T.Type, _ key: Key) -> T? {
            let (shape, value) = ShapeRecorder.primitive(T.self)
            properties.add(key.stringValue, shape, required: false)
            return value
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<
            NestedKey
        > {
            let child = ShapeRecorder(depth: recorder.depth + 1)
            let container = try child.container(keyedBy: type)
            properties.add(key.stringValue, child.shape, required: true)
            return container
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            let child = ShapeRecorder(depth: recorder.depth + 1)
            let container = Unkeyed(recorder: child)
            properties.add(key.stringValue, .array(.unknown), required: true)
            return container
        }

        func superDecoder() throws -> any Decoder { recorder }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            let child = ShapeRecorder(depth: recorder.depth + 1)
            properties.add(key.stringValue, .unknown, required: true)
            return child
        }
    }

    /// An array of one placeholder element (none past the depth limit), whose shape is the items'.
    final class Unkeyed: UnkeyedDecodingContainer, PrimitivePlaceholders {
        let recorder: ShapeRecorder
        var currentIndex = 0
        var codingPath: [any CodingKey] { recorder.codingPath }
        var count: Int? { isAtEnd ? 0 : 1 }
        var isAtEnd: Bool { currentIndex > 0 || recorder.depth >= SchemaReader.maximumDepth }

        init(recorder: ShapeRecorder) {
            self.recorder = recorder
            recorder.shape = .array(.unknown)
        }

        func decodeNil() throws -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (shape, value) = try recorder.read(type)
            recorder.shape = .array(shape)
            currentIndex += 1
            return value
        }

        func primitive<T>(_ type: T.Type) -> T {
            let (shape, value) = ShapeRecorder.primitive(type)
            recorder.shape = .array(shape)
            currentIndex += 1
            return value
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let child = ShapeRecorder(depth: recorder.depth + 1)
            let container = try child.container(keyedBy: type)
            recorder.shape = .array(child.shape)
            currentIndex += 1
            return container
        }

        func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            return Unkeyed(recorder: ShapeRecorder(depth: recorder.depth + 1))
        }

        func superDecoder() throws -> any Decoder { ShapeRecorder(depth: recorder.depth + 1) }
    }

    struct Single: SingleValueDecodingContainer, PrimitivePlaceholders {
        let recorder: ShapeRecorder
        var codingPath: [any CodingKey] { recorder.codingPath }

        func decodeNil() -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (shape, value) = try recorder.read(type)
            recorder.shape = shape
            return value
        }

        func primitive<T>(_ type: T.Type) -> T {
            let (shape, value) = ShapeRecorder.primitive(type)
            recorder.shape = shape
            return value
        }
    }
}

/// The typed `decode` methods unkeyed and single-value containers must have, all answered by one
/// `primitive(_:)` that records the shape and returns a placeholder.
protocol PrimitivePlaceholders {
    func primitive<T>(_ type: T.Type) -> T
}

extension PrimitivePlaceholders {
    func decode(_ type: String.Type) throws -> String { primitive(type) }
    func decode(_ type: Bool.Type) throws -> Bool { primitive(type) }
    func decode(_ type: Double.Type) throws -> Double { primitive(type) }
    func decode(_ type: Float.Type) throws -> Float { primitive(type) }
    func decode(_ type: Int.Type) throws -> Int { primitive(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { primitive(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { primitive(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { primitive(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { primitive(type) }
    func decode(_ type: UInt.Type) throws -> UInt { primitive(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { primitive(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { primitive(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { primitive(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { primitive(type) }
}
