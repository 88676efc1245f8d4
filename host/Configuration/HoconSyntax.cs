using System.Text;
using Akka.Configuration;

namespace Cop.Host.Configuration;

/// <summary>
/// A structural check of a HOCON file before Akka parses it. Akka's parser is lenient: it skips
/// what it cannot read (`cop { {{{ ]]] = =`, a binary file) and drops the valid lines after it, or
/// fails deep inside with "(Parameter 's')" on a cut file, so Cop would run on defaults. Parsing
/// and comparing the result cannot tell what was skipped; this lexer can: it reads the text as
/// UTF-8, tokenizes it (strings, comments, substitutions, unquoted text) and follows objects and
/// arrays with their keys, separators and values, naming the file and the line of the first thing
/// that is not HOCON. What it accepts is still parsed by Akka, which decides the meaning.
/// </summary>
public static class HoconSyntax
{
    private enum Kind { Object, Array }
    private enum State { ExpectKey, InKey, ExpectValue, InValue }

    private sealed class Frame(Kind kind, int line, bool implicitRoot)
    {
        public Kind Kind { get; } = kind;
        public int Line { get; } = line;
        public bool ImplicitRoot { get; } = implicitRoot;
        public State State { get; set; } = kind == Kind.Object ? State.ExpectKey : State.ExpectValue;
        public string Key { get; set; } = "";
    }

    /// <summary>Reads <paramref name="path"/> as HOCON text; throws a ConfigurationException naming
    /// the file and line when it is not.</summary>
    public static string ReadChecked(string path)
    {
        var bytes = File.ReadAllBytes(path);
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException)
        {
            var lossy = Encoding.UTF8.GetString(bytes);
            throw Error(path, LineOf(lossy, lossy.IndexOf('\uFFFD')), "is not UTF-8 text (a binary file?)");
        }
        Check(path, text);
        return text;
    }

    public static void Check(string path, string text)
    {
        var stack = new Stack<Frame>();
        stack.Push(new Frame(Kind.Object, 1, implicitRoot: true));
        var line = 1;
        var sawToken = false;
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch == '\n') { line++; i++; Newline(); continue; }
            if (ch is ' ' or '\t' or '\r' or '\uFEFF') { i++; continue; }
            if (char.IsControl(ch))
                throw Error(path, line, $"holds the control character 0x{(int)ch:x2}: this is not HOCON text (a binary file?)");
            if (ch == '#' || (ch == '/' && At(i + 1) == '/'))
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            var top = stack.Peek();
            switch (ch)
            {
                case '{':
                    if (top.Kind == Kind.Object && top.State == State.ExpectKey)
                    {
                        // Only the whole file may be one {...}; elsewhere an object needs a key.
                        if (!(top.ImplicitRoot && !sawToken)) throw Error(path, line, "has '{' where a key was expected");
                    }
                    else Value(top);
                    stack.Push(new Frame(Kind.Object, line, implicitRoot: false));
                    i++;
                    break;
                case '[':
                    if (top.Kind == Kind.Object && top.State is State.ExpectKey or State.InKey)
                        throw Error(path, line, "has '[' where a key or '=' was expected");
                    Value(top);
                    stack.Push(new Frame(Kind.Array, line, implicitRoot: false));
                    i++;
                    break;
                case '}':
                case ']':
                    Close(top, ch);
                    i++;
                    break;
                case ',':
                    if (top.Kind == Kind.Object && top.State == State.InKey) throw NoValue(top);
                    if (top.Kind == Kind.Object && top.State == State.ExpectValue) throw Error(path, line, $"has '{top.Key} =' with no value before ','");
                    top.State = top.Kind == Kind.Object ? State.ExpectKey : State.ExpectValue;
                    i++;
                    break;
                case '=':
                case ':':
                case '+' when At(i + 1) == '=':
                    var separator = ch == '+' ? "+=" : ch.ToString();
                    if (top.Kind == Kind.Array) throw Error(path, line, $"has '{separator}' inside the list opened at line {top.Line}");
                    if (top.State == State.ExpectKey) throw Error(path, line, $"has '{separator}' with no key before it");
                    if (top.State != State.InKey)
                        throw Error(path, line, $"has a second '{separator}' after '{top.Key}': quote a value that holds '=' or ':'");
                    top.State = State.ExpectValue;
                    i += separator.Length;
                    break;
                case '"':
                    i = QuotedEnd(i);
                    Word(top, "\"...\"");
                    break;
                case '$' when At(i + 1) == '{':
                    var end = text.IndexOf('}', i);
                    var eol = text.IndexOf('\n', i);
                    if (end < 0 || (eol >= 0 && eol < end)) throw Error(path, line, "has a '${' substitution that is not closed on its line");
                    if (top.Kind == Kind.Object && top.State is State.ExpectKey or State.InKey)
                        throw Error(path, line, "has a substitution where a key was expected");
                    Value(top);
                    i = end + 1;
                    break;
                default:
                    var start = i;
                    while (i < text.Length && !Ends(i)) i++;
                    Word(top, text[start..i]);
                    break;
            }
            sawToken = true;
        }
        var open = stack.Peek();
        if (open.Kind == Kind.Object && open.State == State.InKey) throw NoValue(open);
        if (open.Kind == Kind.Object && open.State == State.ExpectValue) throw Error(path, line, $"ends after '{open.Key} =' with no value: the file is cut short");
        if (!open.ImplicitRoot)
            throw Error(path, line, $"ends inside the '{(open.Kind == Kind.Object ? '{' : '[')}' opened at line {open.Line}: the file is cut short or a bracket is missing");
        return;

        char At(int k) => k < text.Length ? text[k] : '\0';

        bool Ends(int k) => text[k] is ' ' or '\t' or '\r' or '\n' or '{' or '}' or '[' or ']' or ',' or '=' or ':' or '"' or '#'
                            || char.IsControl(text[k]) || (text[k] == '/' && At(k + 1) == '/') || (text[k] == '+' && At(k + 1) == '=')
                            || (text[k] == '$' && At(k + 1) == '{');

        int QuotedEnd(int k)
        {
            if (At(k + 1) == '"' && At(k + 2) == '"')
            {
                var close = text.IndexOf("\"\"\"", k + 3, StringComparison.Ordinal);
                if (close < 0) throw Error(path, line, "opens a \"\"\" string that is never closed");
                for (var m = k; m < close; m++) if (text[m] == '\n') line++;
                close += 3;
                while (At(close) == '"') close++;
                return close;
            }
            for (k++; k < text.Length; k++)
            {
                if (text[k] == '\\') { k++; continue; }
                if (text[k] == '"') return k + 1;
                if (text[k] == '\n') break;
            }
            throw Error(path, line, "has a quoted string that is not closed on its line");
        }

        // A word (unquoted text or a quoted string): part of a key, or of a value.
        void Word(Frame top, string word)
        {
            if (top.Kind == Kind.Object && top.State == State.ExpectKey) { top.State = State.InKey; top.Key = word; }
            else if (top.Kind == Kind.Object && top.State == State.InKey) top.Key += " " + word;
            else Value(top);
        }

        void Value(Frame top)
        {
            if (top.Kind == Kind.Object && top.State == State.ExpectKey) throw Error(path, line, "has a value where a key was expected");
            top.State = State.InValue;   // InKey + '{' is `key { ... }`; a value after a value is a concatenation
        }

        void Newline()
        {
            var top = stack.Peek();
            if (top.Kind == Kind.Object && top.State == State.InKey)
            {
                if (top.Key.StartsWith("include", StringComparison.Ordinal)) { top.State = State.ExpectKey; return; }
                throw NoValue(top, line - 1);
            }
            if (top.State == State.InValue) top.State = top.Kind == Kind.Object ? State.ExpectKey : State.ExpectValue;
            // ExpectValue: the value may follow on the next line
        }

        void Close(Frame top, char closer)
        {
            var wanted = closer == '}' ? Kind.Object : Kind.Array;
            if (top.ImplicitRoot) throw Error(path, line, $"has '{closer}' with nothing open to close");
            if (top.Kind != wanted)
                throw Error(path, line, $"has '{closer}' where the '{(top.Kind == Kind.Object ? '{' : '[')}' opened at line {top.Line} is still open");
            if (top.Kind == Kind.Object && top.State == State.InKey) throw NoValue(top);
            if (top.Kind == Kind.Object && top.State == State.ExpectValue) throw Error(path, line, $"has '{top.Key} =' with no value before '}}'");
            stack.Pop();
            var parent = stack.Peek();
            parent.State = State.InValue;
        }

        ConfigurationException NoValue(Frame top, int? at = null) =>
            Error(path, at ?? line, $"has '{top.Key}' with no '=', ':' or '{{' after it");
    }

    private static int LineOf(string text, int index) => index < 0 ? 1 : text.AsSpan(0, index).Count('\n') + 1;

    private static ConfigurationException Error(string path, int line, string what) =>
        new($"{path} is not valid HOCON: line {line} {what}");
}
