using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MiniGrad.Tests;

/// <summary>
/// The layers of the library point one way: Kernels at the bottom, the engine on them, layers, activations, losses,
/// optimizers and data on the engine, diagnostics hooked in from outside. These tests read the compiled assembly (every
/// signature, base type, constraint and IL token of every type) and fail when a namespace uses one it may not.
/// </summary>
public class ArchitectureTests
{
    /// <summary>What each namespace of MiniGrad.dll may use besides itself.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["MiniGrad.Kernels"] = [],
        ["MiniGrad"] = ["MiniGrad.Kernels"],
        ["MiniGrad.Serialization"] = ["MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Layers"] = ["MiniGrad.Serialization", "MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Activations"] = ["MiniGrad.Layers", "MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Losses"] = ["MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Optimizers"] = ["MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Data"] = ["MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Training"] = ["MiniGrad.Data", "MiniGrad.Losses", "MiniGrad.Optimizers", "MiniGrad.Layers", "MiniGrad", "MiniGrad.Kernels"],
        ["MiniGrad.Diagnostics"] = ["MiniGrad.Activations", "MiniGrad.Layers", "MiniGrad", "MiniGrad.Kernels"],
    };

    private static readonly Lazy<Dictionary<(string From, string To), string>> Uses = new(() => NamespaceUses(typeof(Tensor<>).Assembly.Location));

    [Fact]
    public void Every_namespace_of_the_library_is_known()
    {
        var namespaces = typeof(Tensor<>).Assembly.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("MiniGrad")).Distinct();
        Assert.All(namespaces, n => Assert.True(Allowed.ContainsKey(n), $"namespace {n} has no place in the layering; add it to Allowed"));
    }

    [Fact]
    public void No_namespace_uses_one_above_it()
    {
        var violations = Uses.Value
            .Where(use => !Allowed[use.Key.From].Contains(use.Key.To))
            .Select(use => $"{use.Key.From} uses {use.Key.To}: {use.Value}")
            .ToList();
        Assert.True(violations.Count == 0, "Dependencies against the layering:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_reader_sees_the_dependencies_that_are_there()
    {
        // Proof that the scan can fail: it finds uses through a base type (activations derive from Module), through IL
        // (the engine calls the GEMM) and through a signature (the monitor takes a Sequential).
        Assert.Contains(("MiniGrad.Activations", "MiniGrad.Layers"), Uses.Value.Keys);
        Assert.Contains(("MiniGrad", "MiniGrad.Kernels"), Uses.Value.Keys);
        Assert.Contains(("MiniGrad.Diagnostics", "MiniGrad.Layers"), Uses.Value.Keys);
    }

    /// <summary>Every (namespace, namespace it uses) pair inside MiniGrad, with one example type pair for the message.</summary>
    private static Dictionary<(string From, string To), string> NamespaceUses(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var uses = new Dictionary<(string, string), string>();
        foreach (var handle in reader.TypeDefinitions)
        {
            string from = NamespaceOf(reader, handle);
            if (!from.StartsWith("MiniGrad")) continue;
            var collector = new Collector(reader);
            collector.Type(handle, pe);
            foreach (var used in collector.Found)
            {
                string to = NamespaceOf(reader, used);
                if (to == from || !to.StartsWith("MiniGrad")) continue;
                uses.TryAdd((from, to), $"{Name(reader, handle)} → {Name(reader, used)}");
            }
        }
        return uses;
    }

    private static string NamespaceOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var outer = type.GetDeclaringType();
        return outer.IsNil ? reader.GetString(type.Namespace) : NamespaceOf(reader, outer);
    }

    private static string Name(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var outer = type.GetDeclaringType();
        return (outer.IsNil ? "" : Name(reader, outer) + "+") + reader.GetString(type.Name);
    }

    /// <summary>Collects every type definition of the assembly that one type's metadata and IL mention.</summary>
    private sealed class Collector(MetadataReader reader) : ISignatureTypeProvider<object?, object?>
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields()
            .Select(field => (OpCode)field.GetValue(null)!)
            .ToDictionary(code => code.Value, code => code.OperandType);

        public HashSet<TypeDefinitionHandle> Found { get; } = [];

        public void Type(TypeDefinitionHandle handle, PEReader pe)
        {
            var type = reader.GetTypeDefinition(handle);
            Entity(type.BaseType);
            foreach (var implementation in type.GetInterfaceImplementations()) Entity(reader.GetInterfaceImplementation(implementation).Interface);
            GenericParameters(type.GetGenericParameters());
            foreach (var field in type.GetFields()) reader.GetFieldDefinition(field).DecodeSignature(this, null);
            foreach (var attribute in type.GetCustomAttributes()) Entity(reader.GetCustomAttribute(attribute).Constructor);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                method.DecodeSignature(this, null);
                GenericParameters(method.GetGenericParameters());
                if (method.RelativeVirtualAddress != 0) Body(pe.GetMethodBody(method.RelativeVirtualAddress));
            }
        }

        private void GenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var parameter in parameters)
                foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
                    Entity(reader.GetGenericParameterConstraint(constraint).Type);
        }

        private void Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil) Entity(body.LocalSignature);
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE) code = unchecked((short)(0xFE00 | il.ReadByte()));
                switch (Operands[code])
                {
                    case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig:
                        Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        int targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineString or OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }
        }

        private void Entity(EntityHandle handle)
        {
            if (handle.IsNil) return;
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Found.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    Found.Add(method.GetDeclaringType());
                    method.DecodeSignature(this, null);
                    break;
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    Found.Add(field.GetDeclaringType());
                    field.DecodeSignature(this, null);
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Entity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method) member.DecodeMethodSignature(this, null);
                    else member.DecodeFieldSignature(this, null);
                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(specification.Method);
                    specification.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (signature.GetKind() == StandaloneSignatureKind.LocalVariables) signature.DecodeLocalSignature(this, null);
                    else signature.DecodeMethodSignature(this, null);
                    break;
            }
        }

        public object? GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            Found.Add(handle);
            return null;
        }

        public object? GetTypeFromSpecification(MetadataReader metadata, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            metadata.GetTypeSpecification(handle).DecodeSignature(this, context);

        public object? GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => null;
        public object? GetArrayType(object? elementType, ArrayShape shape) => null;
        public object? GetByReferenceType(object? elementType) => null;
        public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;
        public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;
        public object? GetGenericMethodParameter(object? genericContext, int index) => null;
        public object? GetGenericTypeParameter(object? genericContext, int index) => null;
        public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;
        public object? GetPinnedType(object? elementType) => null;
        public object? GetPointerType(object? elementType) => null;
        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
        public object? GetSZArrayType(object? elementType) => null;
    }
}
