using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace MiniGrad.Layers;

/// <summary>
/// A module's architecture as a saved file records it: its kind (the class name, e.g. <c>Dense</c>), its settings as
/// invariant strings (sizes and hyperparameters, not weights) and its parts, so that <see cref="Sequential{T}.Load(string)"/>
/// can build the same network again before filling in the weights.
/// </summary>
internal sealed record ModuleSpec(string Kind, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<ModuleSpec> Children)
{
    /// <summary>A spec with settings given as (name, value) pairs, each value written in the invariant culture.</summary>
    internal static ModuleSpec Of(string kind, params (string Name, object Value)[] settings) =>
        new(kind, settings.ToDictionary(s => s.Name, s => Format(s.Value)), []);

    private static string Format(object value) => value switch
    {
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    internal double Double(string name) => Parse(name, text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));

    internal int Int(string name) => Parse(name, text => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture));

    internal bool Bool(string name) => Parse(name, bool.Parse);

    private TValue Parse<TValue>(string name, Func<string, TValue> parse)
    {
        if (!Settings.TryGetValue(name, out var text)) throw new InvalidDataException($"The saved architecture's {Kind} lacks its setting '{name}'.");
        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"The saved architecture's {Kind} has '{text}' for '{name}', which is not a {typeof(TValue).Name}.");
        }
    }

    /// <summary>The spec as JSON: <c>{"kind": "Dense", "settings": {"in": "2", "out": "8"}, "children": []}</c>.</summary>
    internal string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) Write(writer);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", Kind);
        writer.WriteStartObject("settings");
        foreach (var (name, value) in Settings) writer.WriteString(name, value);
        writer.WriteEndObject();
        writer.WriteStartArray("children");
        foreach (var child in Children) child.Write(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads a spec written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a spec.</exception>
    internal static ModuleSpec FromJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return Read(document.RootElement);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"The saved architecture is not readable: {error.Message}");
        }
    }

    private static ModuleSpec Read(JsonElement element) => new(
        element.GetProperty("kind").GetString()!,
        element.GetProperty("settings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
        element.GetProperty("children").EnumerateArray().Select(Read).ToArray());
}

/// <summary>
/// Builds modules from their specs. The kinds are the module classes of MiniGrad found by name; a class rebuilds itself
/// through a static <c>FromSpec(ModuleSpec)</c> when it has settings, or its parameterless constructor when it has none.
/// Layers find activations this way without referring to them.
/// </summary>
internal static class ModuleKinds<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private static readonly Dictionary<string, Type> Kinds = typeof(Module<>).Assembly.GetTypes()
        .Where(type => type.IsGenericTypeDefinition && !type.IsAbstract && type.GetGenericArguments().Length == 1 && IsModule(type))
        .ToDictionary(type => type.Name[..type.Name.IndexOf('`')], StringComparer.Ordinal);

    private static bool IsModule(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Module<>)) return true;
        return false;
    }

    /// <summary>A new module of <paramref name="spec"/>'s kind and settings (its weights as a fresh one has them).</summary>
    /// <exception cref="InvalidDataException">No module has that kind, or its settings do not fit it.</exception>
    internal static Module<T> Create(ModuleSpec spec)
    {
        if (!Kinds.TryGetValue(spec.Kind, out var definition))
            throw new InvalidDataException($"The saved architecture has a module of kind '{spec.Kind}', which MiniGrad does not have.");
        var type = definition.MakeGenericType(typeof(T));
        var fromSpec = type.GetMethod("FromSpec", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(ModuleSpec)]);
        try
        {
            if (fromSpec is not null) return (Module<T>)fromSpec.Invoke(null, [spec])!;
            if (spec.Settings.Count == 0 && spec.Children.Count == 0 && type.GetConstructor(Type.EmptyTypes) is { } constructor)
                return (Module<T>)constructor.Invoke(null);
        }
        catch (TargetInvocationException error) when (error.InnerException is ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"The saved architecture's {spec.Kind} cannot be built: {error.InnerException.Message}", error.InnerException);
        }
        throw new InvalidDataException($"The saved architecture has a {spec.Kind} with settings MiniGrad cannot rebuild.");
    }
}
