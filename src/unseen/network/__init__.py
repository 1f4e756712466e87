"""The network of who runs the labour-export system, drawn from relations and deployments."""
