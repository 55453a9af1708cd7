import Foundation
import OpenAPIKit
import StewardCore

/// Reads the JSON Schema of a `Decodable` wire type off its own `init(from:)`: the type is decoded
/// from a decoder that answers every question with a placeholder and records what was asked.
/// `decode` makes a property required, `decodeIfPresent` optional (and nullable); a dictionary
/// keyed by strings becomes `additionalProperties`; a `CaseIterable` string enum lists its cases.
/// So the document follows the types the hub really decodes and encodes, and cannot drift from them.
///
/// A type whose decoding refuses placeholders (a discriminated union, a value checked in its
/// initializer) conforms to ``DescribedSchema`` and states its schema itself.
enum SchemaReader {
    static func schema<T: Decodable>(of type: T.Type) -> JSONSchema {
        (try? read(type, depth: 0).shape.schema(required: true)) ?? .fragment
    }

    /// The deepest nesting followed; deeper optionals are `nil` and deeper arrays empty.
    static let maximumDepth = 16

    static func read<T: Decodable>(_ type: T.Type, depth: Int) throws -> (shape: Shape, value: T) {
        if let described = T.self as? any DescribedSchema.Type {
            return (.described(described.apiSchema), try described.schemaPlaceholder(as: T.self))
        }
        if T.self == Date.self { return (.string(.dateTime), Date(timeIntervalSince1970: 0) as! T) }
        if T.self == Data.self { return (.string(.other("byte")), Data() as! T) }
        if T.self == URL.self { return (.string(.other("uri")), URL(string: "https://example.com")! as! T) }
        if let enumeration = T.self as? any (CaseIterable & RawRepresentable).Type, let cases = Self.cases(of: enumeration) {
            return (.enumeration(cases.names), cases.first as! T)
        }
        guard depth < maximumDepth else { throw Placeholder.tooDeep }
        let recorder = ShapeRecorder(depth: depth + 1)
        let value = try T(from: recorder)
        return (recorder.shape, value)
    }

    private static func cases<E: CaseIterable & RawRepresentable>(of type: E.Type) -> (names: [String], first: E)? {
        guard let first = E.allCases.first else { return nil }
        return (E.allCases.map { "\($0.rawValue)" }, first)
    }

    enum Placeholder: Error {
        case tooDeep
        case unsupported
    }
}

/// A wire type that states its own schema, where reading it off `init(from:)` cannot work.
protocol DescribedSchema {
    static var apiSchema: JSONSchema { get }
    /// Any valid value of the type, for the decoding of the types that contain it.
    static var schemaPlaceholderValue: Self { get }
}

extension DescribedSchema {
    static func schemaPlaceholder<T>(as: T.Type) throws -> T {
        guard let value = schemaPlaceholderValue as? T else { throw SchemaReader.Placeholder.unsupported }
        return value
    }
}

/// What a decoding asked for, before it becomes a `JSONSchema`.
indirect enum Shape {
    case unknown
    case string(JSONTypeFormat.StringFormat)
    case integer
    case number
    case boolean
    case enumeration([String])
    case array(Shape)
    case object(ShapeRecorder.Properties)
    case described(JSONSchema)

    func schema(required: Bool) -> JSONSchema {
        // Optional properties are left out or null on the wire.
        let nullable = !required
        switch self {
        case .unknown: return .fragment(required: required, nullable: nullable)
        case .string(let format): return .string(format: format, required: required, nullable: nullable)
        case .integer: return .integer(required: required, nullable: nullable)
        case .number: return .number(required: required, nullable: nullable)
        case .boolean: return .boolean(required: required, nullable: nullable)
        case .enumeration(let names):
            return .string(required: required, nullable: nullable, allowedValues: names.map { AnyCodable($0) } + (nullable ? [nil] : []))
        case .array(let items): return .array(required: required, nullable: nullable, items: items.schema(required: true))
        case .object(let properties):
            if let values = properties.additional {
                return .object(required: required, nullable: nullable, additionalProperties: .b(values.schema(required: true)))
            }
            var schemas: OrderedDictionary<String, JSONSchema> = [:]
            for property in properties.list { schemas[property.name] = property.shape.schema(required: property.required) }
            return .object(required: required, nullable: nullable, properties: schemas)
        case .described(let schema):
            return required ? schema : schema.optionalSchemaObject().nullableSchemaObject()
        }
    }
}

extension InputValue: DescribedSchema {
    /// Any JSON scalar: forms send text, scripts numbers and Booleans.
    static var apiSchema: JSONSchema {
        .one(of: [.string, .number, .boolean, .null()], core: .init(description: "a string, number, Boolean or null"))
    }
    static var schemaPlaceholderValue: InputValue { .text("") }
}
