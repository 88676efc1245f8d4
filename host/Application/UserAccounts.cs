using Cop.Persistence.Promotion;
using Microsoft.AspNetCore.Identity;

namespace Cop.Host.Application;

/// <summary>The web UI's users: `cop users add` and sign-in. Passwords are hashed with ASP.NET Core
/// Identity's PasswordHasher (PBKDF2 with HMAC-SHA512, a random salt per hash, 100,000 iterations in
/// its V3 format); only the hash is stored.</summary>
public sealed class UserAccounts(UserStore store)
{
    public const int MinPasswordLength = 10;
    private static readonly PasswordHasher<string> Hasher = new();
    // Verified against when the user does not exist, so an unknown email costs as much as a wrong password.
    private static readonly string Decoy = Hasher.HashPassword("", Guid.NewGuid().ToString());

    public async Task<bool> AddAsync(string? email, string? role, string? password, CancellationToken ct = default)
    {
        email = email?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(email) || email.Length > 100 || !System.Text.RegularExpressions.Regex.IsMatch(email, @"^[^@\s]+@[^@\s]+$"))
            throw new ArgumentException($"email '{email}' is not an email address (at most 100 characters)");
        if (role is null || !UserStore.Roles.Contains(role)) throw new ArgumentException($"role '{role}' is not one of {string.Join(", ", UserStore.Roles)}");
        if (password is null || password.Length < MinPasswordLength)
            throw new ArgumentException($"the password must have at least {MinPasswordLength} characters");
        return await store.SetAsync(email, role, Hasher.HashPassword(email, password), ct);
    }

    /// <summary>The user when the password is theirs, else null.</summary>
    public async Task<CopUser?> SignInAsync(string? email, string? password, CancellationToken ct = default)
    {
        email = email?.Trim().ToLowerInvariant() ?? "";
        var user = email.Length is > 0 and <= 100 ? await store.GetAsync(email, ct) : null;
        var ok = Hasher.VerifyHashedPassword(email, user?.PasswordHash ?? Decoy, password ?? "") != PasswordVerificationResult.Failed;
        return user is not null && ok ? user : null;
    }

    public Task<IReadOnlyList<CopUser>> ListAsync(CancellationToken ct = default) => store.ListAsync(ct);
}
