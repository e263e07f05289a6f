"""The public HTTP interface: serializers, filters, views, pagination."""
