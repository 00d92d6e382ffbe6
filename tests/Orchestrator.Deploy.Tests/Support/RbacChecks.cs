using k8s.Models;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Deploy.Tests.Support;

/// <summary>What the server's service account may do, read from the Roles and bindings of the manifests.</summary>
public static class RbacChecks
{
    /// <summary>The server Deployment's service account exists in its namespace.</summary>
    public static IEnumerable<string> ServiceAccount(DeployManifests m)
    {
        var name = m.Server.Spec.Template.Spec.ServiceAccountName;
        if (string.IsNullOrEmpty(name)) yield return "the server Deployment sets no serviceAccountName (it would run as 'default')";
        else if (!m.Of<V1ServiceAccount>().Any(a => a.Name() == name && a.Namespace() == m.Server.Namespace()))
            yield return $"ServiceAccount {name} is not defined in namespace {m.Server.Namespace()}";
    }

    /// <summary>Every Role and ClusterRole is bound to the server's service account, and every binding names a role that exists.</summary>
    public static IEnumerable<string> Bindings(DeployManifests m)
    {
        var roles = m.Of<V1Role>().Select(r => ("Role", r.Name())).Concat(m.Of<V1ClusterRole>().Select(r => ("ClusterRole", r.Name()))).ToHashSet();
        var bound = new HashSet<(string, string)>();
        foreach (var (kind, name, roleRef, subjects) in AllBindings(m))
        {
            if (!roles.Contains((roleRef.Kind, roleRef.Name))) yield return $"{kind} {name} refers to {roleRef.Kind} {roleRef.Name}, which is not defined";
            if (subjects.Any(s => IsServerAccount(m, s))) bound.Add((roleRef.Kind, roleRef.Name));
        }

        foreach (var (kind, name) in roles.Except(bound)) yield return $"{kind} {name} is not bound to the server's service account";
    }

    /// <summary>What the server's service account is granted, one entry per verb: a Role (or a ClusterRole bound in
    /// the namespace) grants namespaced access, a ClusterRole bound cluster-wide grants cluster access.</summary>
    public static HashSet<KubernetesAccess> Granted(DeployManifests m)
    {
        var granted = new HashSet<KubernetesAccess>();
        foreach (var (kind, _, roleRef, subjects) in AllBindings(m))
        {
            if (!subjects.Any(s => IsServerAccount(m, s))) continue;
            var rules = roleRef.Kind == "Role"
                ? m.Of<V1Role>().Where(r => r.Name() == roleRef.Name).SelectMany(r => r.Rules ?? [])
                : m.Of<V1ClusterRole>().Where(r => r.Name() == roleRef.Name).SelectMany(r => r.Rules ?? []);
            var scope = kind == "ClusterRoleBinding" ? KubernetesScope.Cluster : KubernetesScope.Namespaced;
            foreach (var rule in rules)
            {
                foreach (var group in rule.ApiGroups ?? [])
                {
                    foreach (var resource in rule.Resources ?? [])
                    {
                        foreach (var verb in rule.Verbs ?? []) granted.Add(new KubernetesAccess(group, resource, verb, scope));
                    }
                }
            }
        }

        return granted;
    }

    /// <summary>The manifests grant exactly <see cref="KubernetesPermissions.All"/>: nothing missing, nothing more.</summary>
    public static IEnumerable<string> GrantsExactlyWhatTheCodeNeeds(DeployManifests m)
    {
        var granted = Granted(m);
        foreach (var a in KubernetesPermissions.All.Except(granted).OrderBy(a => a.ToString(), StringComparer.Ordinal))
            yield return $"missing: {a.Verb} {a.Resource} (group '{a.ApiGroup}', {a.Scope}), which the code calls";
        foreach (var a in granted.Except(KubernetesPermissions.All).OrderBy(a => a.ToString(), StringComparer.Ordinal))
            yield return $"more than needed: {a.Verb} {a.Resource} (group '{a.ApiGroup}', {a.Scope}), which KubernetesPermissions does not list";
    }

    private static bool IsServerAccount(DeployManifests m, Rbacv1Subject subject) =>
        subject.Kind == "ServiceAccount" && subject.Name == m.Server.Spec.Template.Spec.ServiceAccountName && subject.NamespaceProperty == m.Server.Namespace();

    private static IEnumerable<(string Kind, string Name, V1RoleRef RoleRef, IList<Rbacv1Subject> Subjects)> AllBindings(DeployManifests m) =>
        m.Of<V1RoleBinding>().Select(b => ("RoleBinding", b.Name(), b.RoleRef, b.Subjects ?? []))
            .Concat(m.Of<V1ClusterRoleBinding>().Select(b => ("ClusterRoleBinding", b.Name(), b.RoleRef, b.Subjects ?? [])));
}
