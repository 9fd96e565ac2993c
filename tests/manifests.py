"""Small Kubernetes manifests the CLI tests write into repositories."""
from __future__ import annotations

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: app
          image: {image}
          envFrom: [{{configMapRef: {{name: {config}}}}}]
"""
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n"


def deployment(name: str, image: str = "ghcr.io/x/app:1.0.0", config: str = "settings",
               namespace: str | None = "shop") -> str:
    """A Deployment of one container that reads ConfigMap ``config`` (``settings`` is CONFIGMAP);
    ``namespace`` None: it names none."""
    text = _DEPLOYMENT.format(name=name, image=image, config=config, namespace=namespace)
    return text if namespace is not None else text.replace(", namespace: None}", "}", 1)

# A CRD whose Widgets have spec.size small or large (custom resources checked against it).
WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: string, enum: [small, large]}
"""
